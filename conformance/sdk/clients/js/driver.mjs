// The SDK gate's driver for @voucherify/sdk: one JSON command per line on stdin, one JSON result
// per line on stdout (conformance/sdk/clients/vendor_js.py is the other end).
//
// A result is {"value": <plain JSON>} or {"error": {cls, documented, status, body, message}}.
// The live client talks HTTP; the offline one (model-level hooks) runs the SDK's own request path
// with axios's adapter swapped for an in-process answer, so parsing and serializing are the SDK's.
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";

const modules = process.env.SDK_GATE_JS_MODULES;
const require = createRequire(join(modules, "package.json"));
// The development UMD build: the same code as the package's main (the minified production UMD),
// with class names kept, so a VoucherifyError can be told from any other error.
const sdk = require("@voucherify/sdk/dist/voucherifysdk.umd.development.js");
const { VoucherifyServerSide } = sdk;
// The UMD build does not export VoucherifyError; its instances are told by their class's name.
const isVoucherifyError = (error) => (sdk.VoucherifyError ? error instanceof sdk.VoucherifyError : error?.constructor?.name === "VoucherifyError");
const version = require("@voucherify/sdk/package.json").version;

let live = null;
const offline = VoucherifyServerSide({
  applicationId: "offline-app-id", secretKey: "offline-app-token", apiUrl: "http://sdk-gate.invalid", exposeErrorCause: true,
});
let offlineAnswer = { status: 200, text: "{}", contentType: "application/json" };
let offlineSent = null;
offline.segments.client.request.defaults.adapter = async (config) => {
  offlineSent = { method: config.method.toUpperCase(), url: config.url, headers: { ...config.headers.toJSON?.() ?? config.headers }, body: config.data ?? null };
  return { data: offlineAnswer.text, status: offlineAnswer.status, statusText: "OK",
           headers: { "content-type": offlineAnswer.contentType }, config, request: {} };
};

function plain(value) {
  return value === undefined || value === "" ? null : JSON.parse(JSON.stringify(value));
}

function failure(error) {
  const documented = isVoucherifyError(error);
  let body = null;
  let status = null;
  if (documented) {
    const raw = error.cause?.response?.data;
    body = raw === undefined ? null : typeof raw === "string" ? raw : JSON.stringify(raw);
    status = error.code ?? null;
  }
  return { error: { cls: error?.constructor?.name ?? typeof error, documented, status, body, message: String(error?.message ?? error).slice(0, 500) } };
}

async function run(command) {
  const segments = () => live.segments;
  switch (command.op) {
    case "version":
      return { value: version };
    case "configure":
      live = VoucherifyServerSide({ applicationId: command.app_id, secretKey: command.app_token, apiUrl: command.base_url, exposeErrorCause: true });
      return { value: null };
    case "create":
      return { value: plain(await segments().create(command.body)) };
    case "get":
      return { value: plain(await segments().get(command.id)) };
    case "delete":
      return { value: plain(await segments().delete(command.id)) };
    case "parse":
    case "roundtrip":
    case "serialize": {
      offlineAnswer = { status: 200, text: command.text, contentType: "application/json" };
      const parsed = command.operation === "create"
        ? await offline.segments.create({ name: "x" })
        : await offline.segments.get("seg_offline");
      if (command.op === "parse") return { value: typeof parsed };
      if (command.op === "roundtrip") return { value: plain(parsed) };
      return { value: JSON.stringify(parsed) };
    }
    case "serialize_create": {
      offlineAnswer = { status: 200, text: JSON.stringify({ id: "seg_x", name: "x", created_at: "2022-09-13T08:57:15.801Z", type: "static", filter: null, object: "segment" }), contentType: "application/json" };
      offlineSent = null;
      await offline.segments.create(command.body);
      const sent = offlineSent;
      return { value: { method: sent.method, path: "/v1/" + sent.url.replace(/^\//, ""), headers: sent.headers,
                        body: typeof sent.body === "string" ? sent.body : JSON.stringify(sent.body) } };
    }
    default:
      throw new Error(`unknown command ${command.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let result;
  try {
    result = await run(JSON.parse(line));
  } catch (error) {
    result = failure(error);
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
