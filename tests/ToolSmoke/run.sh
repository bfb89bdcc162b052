#!/usr/bin/env bash
# Packs the CLI as a .NET tool, installs it into a fresh folder and runs it from there: `farcast --help` and a short
# full-batch run (which reads the appsettings profiles shipped next to the tool and loads TorchSharp with the Debian 12
# loader fix applied to the packed copy of its native library).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="0.1.0-tool.$(date +%s)"

dotnet pack "$root/src/FarcastCallback.Cli/FarcastCallback.Cli.csproj" -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
dotnet tool install --tool-path "$work/tools" --add-source "$work/feed" FarcastCallback.Cli --version "$version" >/dev/null
cd "$work"   # away from the repository: nothing may come from the clone
"$work/tools/farcast" --help | grep -q "fullbatch"
"$work/tools/farcast" fullbatch --task classifier --dataset Moons --steps 30 --quiet --out "$work/out" | grep -q "race to the target"
grep -q '"complete": true' "$work/out/summary.json"
echo "ToolSmoke: farcast $version installed with dotnet tool install and ran from $work/tools."
