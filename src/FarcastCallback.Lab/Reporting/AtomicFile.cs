namespace FarcastCallback.Lab.Reporting;

/// <summary>Writes a result file whole or not at all.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> atomically: into a temporary file beside it, then renamed
    /// over it, so a full disk or a kill mid-write leaves the previous file whole, never half a file.
    /// </summary>
    public static void WriteAllText(string path, string text)
    {
        var temporary = $"{path}.tmp-{Environment.ProcessId}";
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
