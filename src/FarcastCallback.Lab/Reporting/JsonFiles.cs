using System.Text.Json;
using System.Text.Json.Nodes;

namespace FarcastCallback.Lab.Reporting;

/// <summary>
/// Writes result JSON that always serialises: JSON has no NaN or infinity, so a diverged run's non-finite figures
/// become null (the summaries say why next to them) instead of an exception that loses the whole result.
/// </summary>
public static class JsonFiles
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="node"/> to <paramref name="path"/> atomically (<see cref="AtomicFile.WriteAllText"/>).</summary>
    public static void Write(string path, JsonNode node) => AtomicFile.WriteAllText(path, Finite(node)?.ToJsonString(Indented) ?? "null");

    /// <summary>A copy of <paramref name="node"/> with every non-finite number replaced by null.</summary>
    public static JsonNode? Finite(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Finite(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Finite).ToArray()),
        JsonValue value when value.TryGetValue<double>(out var d) && !double.IsFinite(d) => null,
        JsonValue value when value.TryGetValue<float>(out var f) && !float.IsFinite(f) => null,
        _ => node?.DeepClone(),
    };
}
