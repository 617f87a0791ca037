#!/usr/bin/env python3
"""Generate the compact AWS service models in `crates/integrations/src/aws/models/`.

The `aws-sdk:SERVICE:ACTION` task resources serialize requests and read responses from
these models: what botocore's `service-2.json` says of each operation and shape, less the
documentation, the constraints and everything else the wire does not need. Give the
generator a botocore wheel (or a directory holding `botocore/data`):

    pip download botocore --no-deps -d /tmp/bc
    python3 crates/integrations/tools/aws_models.py /tmp/bc/botocore-*.whl

Python 3 standard library only. The output is checked in: building Baton needs no Python.

The compact form, one JSON object per service:

* `meta`: protocol, jsonVersion, targetPrefix, signingName, endpointPrefix, serviceId,
  apiVersion, xmlNamespace (whichever the model has).
* `ops`: operation name -> {"m": HTTP method, "u": request URI, "i": input shape,
  "o": output shape, "w": query result wrapper, "c": success status code}.
* `shapes`: shape name -> {"t": type, ...}: structures have "m" (members), "p" (payload
  member), "c"/"h" (error code and HTTP status of an exception), "x" (1 for an exception),
  "d" (1 for a document); lists "m" and "f" (flattened); maps "k", "v", "f"; scalars "tf"
  (timestampFormat), "jv" (jsonvalue), "st" (streaming). A member or item is a shape name,
  or "@TYPE" for a plain scalar, or an object {"s": shape, "l": location, "n": locationName,
  "f": flattened, "q": queryName, "x": xmlAttribute}.
"""

import gzip
import io
import json
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "aws", "models")

# The services shipped: the name in `aws-sdk:NAME:...` -> botocore's directory.
SERVICES = {
    "batch": "batch",
    "dynamodb": "dynamodb",
    "ecs": "ecs",
    "eventbridge": "events",
    "lambda": "lambda",
    "s3": "s3",
    "secretsmanager": "secretsmanager",
    "sfn": "stepfunctions",
    "sns": "sns",
    "sqs": "sqs",
    "ssm": "ssm",
    "sts": "sts",
}

META_KEYS = [
    "protocol",
    "jsonVersion",
    "targetPrefix",
    "signingName",
    "endpointPrefix",
    "serviceId",
    "apiVersion",
    "xmlNamespace",
    "globalEndpoint",
]
SCALARS = {"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob", "bigdecimal", "biginteger"}


class Source:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path) if path.endswith(".whl") else None
        self.root = path

    def names(self):
        if self.zip:
            return self.zip.namelist()
        out = []
        for d, _, files in os.walk(self.root):
            out += [os.path.relpath(os.path.join(d, f), self.root) for f in files]
        return out

    def read(self, name):
        data = self.zip.read(name) if self.zip else open(os.path.join(self.root, name), "rb").read()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        return json.loads(data)


def latest_model(src, directory):
    prefix = f"botocore/data/{directory}/"
    found = sorted(n for n in src.names() if n.startswith(prefix) and n.split("/")[-1].startswith("service-2.json"))
    if not found:
        sys.exit(f"no model for {directory}")
    return src.read(found[-1])


def plain_scalar(shape):
    return shape["type"] in SCALARS and not any(k in shape for k in ("timestampFormat", "jsonvalue", "streaming"))


def ref(model, r):
    target = model["shapes"][r["shape"]]
    extra = {}
    if "location" in r:
        extra["l"] = r["location"]
    if "locationName" in r:
        extra["n"] = r["locationName"]
    if r.get("flattened"):
        extra["f"] = 1
    if "queryName" in r:
        extra["q"] = r["queryName"]
    if r.get("xmlAttribute"):
        extra["x"] = 1
    if r.get("jsonvalue"):
        extra["jv"] = 1
    name = "@" + target["type"] if plain_scalar(target) else r["shape"]
    if not extra:
        return name
    extra["s"] = name
    return extra


def compact(model):
    meta = {k: model["metadata"][k] for k in META_KEYS if k in model["metadata"]}
    ops = {}
    for name, op in sorted(model["operations"].items()):
        o = {"m": op["http"]["method"], "u": op["http"]["requestUri"]}
        if "input" in op:
            o["i"] = op["input"]["shape"]
        if "output" in op:
            o["o"] = op["output"]["shape"]
            if "resultWrapper" in op["output"]:
                o["w"] = op["output"]["resultWrapper"]
        if op["http"].get("responseCode", 200) != 200:
            o["c"] = op["http"]["responseCode"]
        ops[name] = o
    shapes = {}
    for name, s in sorted(model["shapes"].items()):
        t = s["type"]
        if plain_scalar(s):
            continue
        c = {"t": t}
        if t == "structure":
            c["m"] = {m: ref(model, r) for m, r in s.get("members", {}).items()}
            if "payload" in s:
                c["p"] = s["payload"]
            if s.get("exception"):
                c["x"] = 1
            if s.get("document"):
                c["d"] = 1
            err = s.get("error", {})
            if "code" in err:
                c["c"] = err["code"]
            if "httpStatusCode" in err:
                c["h"] = err["httpStatusCode"]
            if "locationName" in s:
                c["n"] = s["locationName"]
        elif t == "list":
            c["m"] = ref(model, s["member"])
            if s.get("flattened"):
                c["f"] = 1
        elif t == "map":
            c["k"] = ref(model, s["key"])
            c["v"] = ref(model, s["value"])
            if s.get("flattened"):
                c["f"] = 1
        else:
            for k, short in (("timestampFormat", "tf"), ("jsonvalue", "jv"), ("streaming", "st")):
                if s.get(k):
                    c[short] = s[k]
        shapes[name] = c
    return {"meta": meta, "ops": ops, "shapes": shapes}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = Source(sys.argv[1])
    os.makedirs(OUT, exist_ok=True)
    for name, directory in SERVICES.items():
        model = compact(latest_model(src, directory))
        path = os.path.join(OUT, f"{name}.json")
        with open(path, "w") as f:
            json.dump(model, f, separators=(",", ":"), sort_keys=True)
            f.write("\n")
        print(f"{path}: {len(model['ops'])} operations, {len(model['shapes'])} shapes, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
