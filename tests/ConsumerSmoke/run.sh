#!/usr/bin/env bash
# Packs the library and builds + runs a consumer app outside the repository that references the package:
# proves that TorchSharp loads for a NuGet consumer with no manual step (the buildTransitive targets).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="0.1.0-smoke.$(date +%s)"

dotnet pack "$root/src/FarcastCallback/FarcastCallback.csproj" -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
mkdir -p "$work/app"
sed "s/@VERSION@/$version/" "$root/tests/ConsumerSmoke/ConsumerSmoke.csproj.template" > "$work/app/ConsumerSmoke.csproj"
cp "$root/tests/ConsumerSmoke/Program.cs.template" "$work/app/Program.cs"
cp "$root/global.json" "$work/app/"
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
XML
# The version is unique per run, so no earlier package of the same id in the NuGet cache can be picked up.
dotnet restore "$work/app" --nologo -v quiet
dotnet run --project "$work/app" --no-restore
