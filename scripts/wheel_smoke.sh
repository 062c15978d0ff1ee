#!/usr/bin/env bash
# Smoke commands against an installed neuronlab (not the checkout): the package imports from site-packages,
# ships its type marker, and its command line runs from an unrelated folder.
set -euo pipefail
venv=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$venv/bin/python" - <<'PY'
import pathlib
import neuronlab
where = pathlib.Path(neuronlab.__file__).parent
assert "site-packages" in str(where), f"neuronlab imported from {where}, not from the installed wheel"
assert (where / "py.typed").is_file(), "py.typed is missing from the wheel"
print("neuronlab", neuronlab.__version__, "from", where)
PY
"$venv/bin/neuronlab" --version
"$venv/bin/python" -m neuronlab --help >/dev/null
"$venv/bin/neuronlab" train --epochs 1 --out "$work/run" >/dev/null
test -f "$work/run/model.safetensors"
"$venv/bin/neuronlab" neuron lif --out "$work/lif" >/dev/null
echo "wheel smoke commands passed"
