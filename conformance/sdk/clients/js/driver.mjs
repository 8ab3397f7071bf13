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
// The package's entry point, as a user's `require("@voucherify/sdk")` loads it: its "main", the
// minified production build. It does not export VoucherifyError, and minifies the class's name.
const sdk = require("@voucherify/sdk");
const { VoucherifyServerSide } = sdk;
const version = require("@voucherify/sdk/package.json").version;

let live = null;
// Default options, as the SDK's README configures it: no exposeErrorCause, no timeoutMs.
const offline = VoucherifyServerSide({ applicationId: "offline-app-id", secretKey: "offline-app-token", apiUrl: "http://sdk-gate.invalid" });
let offlineAnswer = { status: 200, text: "{}", contentType: "application/json" };
let offlineSent = null;
offline.segments.client.request.defaults.adapter = async (config) => {
  offlineSent = { method: config.method.toUpperCase(), url: config.url, headers: { ...config.headers.toJSON?.() ?? config.headers }, body: config.data ?? null };
  const response = { data: offlineAnswer.text, status: offlineAnswer.status, statusText: "OK",
                     headers: { "content-type": offlineAnswer.contentType }, config, request: {} };
  if (offlineAnswer.status >= 400) {
    const error = new Error(`Request failed with status code ${offlineAnswer.status}`);
    Object.assign(error, { response, config, isAxiosError: true });
    throw error;
  }
  return response;
};

// The SDK's error class, whatever the build calls it: the class of what it throws for an error
// answer. A user cannot name it (not exported); the gate learns it so it can tell it apart.
offlineAnswer = { status: 400, text: '{"code": 400, "message": "probe"}', contentType: "application/json" };
const voucherifyError = await offline.segments.get("seg_probe").then(() => null, (error) => error.constructor);
const ERROR_MEMBERS = ["code", "key", "message", "details", "request_id", "resource_id", "resource_type"];

function plain(value) {
  return value === undefined || value === "" ? null : JSON.parse(JSON.stringify(value));
}

function failure(error) {
  const documented = voucherifyError !== null && error instanceof voucherifyError;
  let status = null;
  let fields = null;
  if (documented) {
    // What a caller has: the Error object's members copied onto the error (the raw answer only
    // with exposeErrorCause, which users do not set); the status only as the body's `code`.
    fields = Object.fromEntries(ERROR_MEMBERS.filter((key) => error[key] !== undefined).map((key) => [key, error[key]]));
    status = typeof error.code === "number" ? error.code : null;
  }
  return { error: { cls: error?.constructor?.name ?? typeof error, documented, status, body: null, fields,
                    message: String(error?.message ?? error).slice(0, 500) } };
}

async function run(command) {
  const segments = () => live.segments;
  switch (command.op) {
    case "version":
      return { value: version };
    case "configure":
      live = VoucherifyServerSide({ applicationId: command.app_id, secretKey: command.app_token, apiUrl: command.base_url });
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

// A command with `patience` (seconds) answers {"unended": true} when the call has not ended by then;
// the call is abandoned where it waits (its server closes the connection later).
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  let result;
  let timer = null;
  try {
    const call = run(command);
    const deadline = command.patience == null ? null
      : new Promise((resolve) => { timer = setTimeout(() => resolve({ unended: true }), command.patience * 1000); });
    result = await (deadline ? Promise.race([call, deadline]) : call);
    if (result?.unended) call.catch(() => {});
  } catch (error) {
    result = failure(error);
  } finally {
    if (timer) clearTimeout(timer);
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
