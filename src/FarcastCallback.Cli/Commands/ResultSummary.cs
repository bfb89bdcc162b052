using System.Text.Json.Nodes;
using FarcastCallback.Lab.Reporting;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// summary.json while a run goes on: written (atomically) after every finished seed with <c>complete</c> false, so an
/// interrupted or failed run leaves the seeds it finished; the command's final write marks it complete.
/// </summary>
internal static class ResultSummary
{
    /// <summary>Writes <paramref name="summary"/> of the <paramref name="done"/> seeds finished so far of <paramref name="planned"/>, marked incomplete.</summary>
    public static void WritePartial(string? folder, JsonObject summary, int done, int planned)
    {
        if (folder is null) return;
        Mark(summary, complete: false, done, planned);
        Directory.CreateDirectory(folder);
        JsonFiles.Write(Path.Combine(folder, "summary.json"), summary);
    }

    /// <summary>Marks <paramref name="summary"/> as that of the <paramref name="done"/> seeds finished so far of <paramref name="planned"/>, for a writer that also writes the curves.</summary>
    public static JsonObject Partial(JsonObject summary, int done, int planned)
    {
        Mark(summary, complete: false, done, planned);
        return summary;
    }

    /// <summary>Marks <paramref name="summary"/> as the whole run's.</summary>
    public static JsonObject Complete(JsonObject summary, int seeds)
    {
        Mark(summary, complete: true, seeds, seeds);
        return summary;
    }

    private static void Mark(JsonObject summary, bool complete, int done, int planned)
    {
        summary["complete"] = complete;
        summary["seeds_done"] = done;
        summary["seeds_planned"] = planned;
    }
}
