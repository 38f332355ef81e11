"""Validates commitcheck reports with validators from PyPI; prints one line per file, exits 1 on any failure.

usage: validate_reports.py junit|sarif|trace FILE...
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
kind, files = sys.argv[1], sys.argv[2:]
failed = False
for path in files:
    try:
        if kind == "junit":
            import xmlschema
            import junitparser
            xmlschema.XMLSchema(os.path.join(here, "junit.xsd")).validate(path)
            xml = junitparser.JUnitXml.fromfile(path)
            cases = [case for suite in xml for case in suite]
            print(f"ok {path}: {len(cases)} testcases")
        elif kind == "sarif":
            from sarif_pydantic import Sarif
            with open(path) as f:
                document = json.load(f)
            log = Sarif.model_validate(document)
            assert document["version"] == "2.1.0"
            results = document["runs"][0]["results"]
            for result in results:
                region = result["locations"][0]["physicalLocation"].get("region")
                if result.get("level") == "error":
                    assert region is not None, "an error result must point at a line"
                if region is not None:
                    assert region["startLine"] >= 1
            print(f"ok {path}: {len(log.runs)} run(s), {len(results)} result(s)")
        elif kind == "trace":
            import jsonschema
            with open(os.path.join(here, "..", "..", "..", "specs", "trace-format.schema.json")) as f:
                validator = jsonschema.Draft202012Validator(json.load(f))
            with open(path) as f:
                for number, line in enumerate(f, 1):
                    errors = list(validator.iter_errors(json.loads(line)))
                    if errors:
                        raise ValueError(f"line {number}: {errors[0].message}")
            print(f"ok {path}")
        else:
            raise ValueError(f"unknown kind {kind}")
    except Exception as error:  # report every file, then fail
        failed = True
        print(f"FAIL {path}: {error}")
sys.exit(1 if failed else 0)
