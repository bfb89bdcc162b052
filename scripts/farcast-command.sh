# Sourced by the measurement scripts: defines farcast() — the CLI built once in Release, or the prebuilt
# farcast.dll named by FARCAST_DLL (so a long measurement keeps running one binary while the tree changes).
if [[ -n "${FARCAST_DLL:-}" ]]; then
  farcast() { dotnet "$FARCAST_DLL" "$@"; }
else
  dotnet build -c Release src/FarcastCallback.Cli --nologo -v quiet
  farcast() { dotnet run -c Release --no-build --project src/FarcastCallback.Cli -- "$@"; }
fi
