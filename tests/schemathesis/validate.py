"""Validates request bodies against a schema of folio's OpenAPI document.

Usage: validate.py OPENAPI_URL SCHEMA_NAME < cases.json
cases.json: {"valid": [...], "invalid": [...]}. Prints one line per case that the schema
judges differently than expected and exits 1 if there is any; prints a count otherwise.
"""
import json
import sys
import urllib.request

import jsonschema

url, name = sys.argv[1], sys.argv[2]
with urllib.request.urlopen(url) as response:
    document = json.load(response)
schema = dict(document)
schema["$ref"] = f"#/components/schemas/{name}"
validator = jsonschema.Draft202012Validator(schema)
cases = json.load(sys.stdin)
wrong = []
for body in cases["valid"]:
    errors = list(validator.iter_errors(body))
    if errors:
        wrong.append(f"refused but valid: {json.dumps(body)}: {errors[0].message[:300]}")
for body in cases["invalid"]:
    if validator.is_valid(body):
        wrong.append(f"accepted but invalid: {json.dumps(body)}")
for line in wrong:
    print(line)
if wrong:
    sys.exit(1)
print(f"{len(cases['valid'])} valid and {len(cases['invalid'])} invalid bodies judged right")
