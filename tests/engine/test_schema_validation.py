"""OpenAPI 3.0 schema objects are validated as they are (openapi-schema-validator's OAS30 reading,
conformance.contract.schema_validator): no conversion to JSON Schema that could lose a keyword."""

from conformance.contract import inline_refs, schema_validator


def _errors(schema, instance):
    return [error.message for error in schema_validator(schema).iter_errors(instance)]


def test_a_property_named_nullable_is_a_property():
    schema = {"type": "object", "properties": {"nullable": {"type": "string"}}, "required": ["nullable"]}
    assert _errors(schema, {"nullable": "yes"}) == []
    assert _errors(schema, {"nullable": 1})  # its own schema still applies
    assert _errors(schema, {})  # and it is still required


def test_nullable_beside_type_allows_null_and_only_there():
    assert _errors({"type": "string", "nullable": True}, None) == []
    assert _errors({"type": "string"}, None)
    assert _errors({"type": "string", "nullable": False}, None)


def test_nullable_beside_all_of_allows_null_and_keeps_the_schema():
    schema = {"nullable": True, "allOf": [{"type": "object", "required": ["id"]}]}
    assert _errors(schema, None) == []
    assert _errors(schema, {"id": "x"}) == []
    assert _errors(schema, {})
    assert _errors({"allOf": [{"type": "object"}]}, None)


def test_nullable_beside_a_reference_survives_inlining():
    root = {"components": {"schemas": {"Filter": {"type": "object", "required": ["junction"]}}}}
    schema = inline_refs({"type": "object", "properties": {"filter": {"$ref": "#/components/schemas/Filter", "nullable": True}}}, root)
    assert _errors(schema, {"filter": None}) == []
    assert _errors(schema, {"filter": {}})
    plain = inline_refs({"properties": {"filter": {"$ref": "#/components/schemas/Filter"}}}, root)
    assert _errors(plain, {"filter": None})


def test_nullable_enum_allows_null():
    assert _errors({"type": "string", "enum": ["a"], "nullable": True}, None) == []
    assert _errors({"type": "string", "enum": ["a"]}, None)


def test_date_times_are_read_as_rfc_3339_allows():
    schema = {"type": "string", "format": "date-time", "nullable": True}
    assert _errors(schema, "1990-12-31T23:59:60Z") == []
    assert _errors(schema, None) == []
    assert _errors(schema, "2022-09-13T08:57:15")
