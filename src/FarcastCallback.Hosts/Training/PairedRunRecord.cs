using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FarcastCallback.Lab.Reporting;

namespace FarcastCallback.Hosts.Training;

/// <summary>
/// The finished seeds of a paired run read back from its folder — summary.json and steps.csv as
/// <see cref="PairedRunReport.Write"/> left them after the last finished seed — so a multi-seed job that was cut off can
/// go on from the next seed (<c>farcast mnist --resume</c>) and end with the summary one uninterrupted run would have
/// written. Nothing is taken on trust: the folder must have been written with the same settings and farcast options
/// (all but the number of seeds), its seeds must be the first ones in order, and each seed's figures recomputed from
/// steps.csv must equal those summary.json records, to the last digit; anything else is refused in one line naming
/// the file and what differs.
/// </summary>
/// <param name="Seeds">The finished seeds, in order, as <see cref="PairedSeedResult.Of(int, IReadOnlyList{TrainingPoint}, IReadOnlyList{TrainingPoint}, int, int, double, double?, GuardCost?)"/> recomputes them.</param>
/// <param name="Run">What started the run: its command, machine, date and device.</param>
/// <param name="Resumptions">The earlier resumptions summary.json records (<see cref="ResumptionsKey"/>), oldest first.</param>
/// <param name="Complete">Whether summary.json says the run finished.</param>
public sealed record PairedRunRecord(IReadOnlyList<PairedSeedResult> Seeds, RunInfo Run, IReadOnlyList<RunInfo> Resumptions, bool Complete)
{
    /// <summary>summary.json's list of the commands that resumed the run, each with its machine and date.</summary>
    public const string ResumptionsKey = "resumed";

    /// <summary>The largest file read back: the steps.csv of five 10,000-step seeds evaluated every 25 steps is under 1 MiB.</summary>
    internal const long MaxFileBytes = 256L << 20;

    /// <summary>
    /// Reads the finished seeds in <paramref name="directory"/>, checking them against the job's <paramref name="settings"/>
    /// and <paramref name="options"/>, its <paramref name="firstSeed"/> and its fixed <paramref name="targetAccuracy"/> (null:
    /// each plain run's own). Throws <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) in one line.
    /// </summary>
    public static PairedRunRecord Read(string directory, object settings, FarcastOptions options, int firstSeed, double? targetAccuracy)
    {
        var summaryPath = Path.Combine(directory, "summary.json");
        if (!File.Exists(summaryPath))
            throw new FileNotFoundException($"{directory} holds no summary.json: no finished seed to resume from; start the run without --resume.", summaryPath);
        var summary = ParseSummary(summaryPath);
        var run = RunOf(summary, summaryPath);
        Require(summaryPath, "settings", summary["settings"], PairedRunReport.SettingsNode(settings), run.Command, ignore: "Seeds");
        Require(summaryPath, "farcast options", summary["farcast_options"], PairedRunReport.OptionsNode(options), run.Command);
        var recorded = summary["runs"] as JsonArray ?? throw Invalid(summaryPath, "has no list of runs");
        var seeds = new List<int>();
        foreach (var (entry, index) in recorded.Select((e, i) => (e, i)))
        {
            var seed = (entry as JsonObject)?["seed"] is JsonValue v && v.TryGetValue<int>(out var s) ? s : throw Invalid(summaryPath, $"run {index + 1} names no seed");
            if (seed != firstSeed + index)
                throw Invalid(summaryPath, $"run {index + 1} is seed {seed}; a resumable run holds seeds {firstSeed}, {firstSeed + 1}, … in order");
            seeds.Add(seed);
        }
        var curves = ReadSteps(Path.Combine(directory, "steps.csv"), seeds.ToHashSet());
        var results = new List<PairedSeedResult>();
        foreach (var (seed, entry) in seeds.Zip(recorded))
        {
            var figures = entry!.AsObject();
            if (figures["verification_calls"] is not null)
                throw Invalid(summaryPath, $"seed {seed} was guarded with its forward passes counted (farcast text); only farcast mnist runs resume");
            if (!curves.TryGetValue((seed, PairedRunReport.RunNames[0]), out var plain) || !curves.TryGetValue((seed, PairedRunReport.RunNames[1]), out var farcast))
                throw Invalid(Path.Combine(directory, "steps.csv"), $"lacks the curves of seed {seed}, which summary.json records");
            var result = PairedSeedResult.Of(seed, plain, farcast, Integer(figures, "jumps", summaryPath), Integer(figures, "rejected_jumps", summaryPath),
                Number(figures, "farcast_overhead_seconds", summaryPath), targetAccuracy) with { Agreement = AgreementOf(figures["race_trend_agreement"], summaryPath) };
            var recomputed = JsonFiles.Finite(PairedRunReport.SeedRun(result))!.ToJsonString();
            if (recomputed != figures.ToJsonString())
                throw Invalid(Path.Combine(directory, "steps.csv"), $"does not give the figures summary.json records for seed {seed} ({FirstDifference(figures, JsonNode.Parse(recomputed)!.AsObject())}): the files were edited or come from two runs");
            results.Add(result);
        }
        var resumptions = summary[ResumptionsKey] is JsonArray earlier
            ? earlier.Select(e => RunOf(e as JsonObject ?? throw Invalid(summaryPath, $"'{ResumptionsKey}' holds a non-object"), summaryPath)).ToArray()
            : Array.Empty<RunInfo>();
        return new PairedRunRecord(results, run, resumptions, summary["complete"] is JsonValue c && c.TryGetValue<bool>(out var complete) && complete);
    }

    /// <summary>summary.json's list of resumptions: the earlier ones and <paramref name="now"/>.</summary>
    public JsonArray ResumptionsWith(RunInfo now) => new(Resumptions.Append(now).Select(r => (JsonNode)new JsonObject
    {
        ["command"] = r.Command, ["machine"] = r.Machine, ["date"] = r.Date, ["device"] = r.Device,
    }).ToArray());

    private static JsonObject ParseSummary(string path)
    {
        if (new FileInfo(path).Length > MaxFileBytes) throw Invalid(path, $"is {new FileInfo(path).Length >> 20} MiB; a summary this program wrote is far smaller");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw Invalid(path, "is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"is not valid JSON ({e.Message})");
        }
    }

    private static RunInfo RunOf(JsonObject node, string path) =>
        new(Text(node, "command", path), Text(node, "machine", path), Text(node, "date", path), Text(node, "device", path));

    /// <summary>Refuses a folder whose <paramref name="what"/> differ from this job's in any key but <paramref name="ignore"/>.</summary>
    private static void Require(string path, string what, JsonNode? recorded, JsonNode expected, string command, string? ignore = null)
    {
        if (recorded is not JsonObject there) throw Invalid(path, $"records no {what}");
        var here = expected.AsObject();
        foreach (var key in there.Select(p => p.Key).Union(here.Select(p => p.Key)).Where(k => k != ignore))
            if (!Same(there[key], here[key]))
                throw Invalid(path, $"was written with other {what}: {key} is {Show(there[key])} there and {Show(here[key])} here; resume with the options of '{command}'");
    }

    /// <summary>steps.csv's points of the <paramref name="wanted"/> seeds, by seed and run; rows of other seeds (one not finished) are skipped.</summary>
    private static Dictionary<(int Seed, string Run), IReadOnlyList<TrainingPoint>> ReadSteps(string path, IReadOnlySet<int> wanted)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: the finished seeds' curves are needed to resume.", path);
        if (new FileInfo(path).Length > MaxFileBytes) throw Invalid(path, $"is {new FileInfo(path).Length >> 20} MiB; a steps.csv this program wrote is far smaller");
        var curves = new Dictionary<(int, string), List<TrainingPoint>>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (number == 1)
            {
                if (line != PairedRunReport.StepsHeader) throw Invalid(path, "does not start with the header this program writes");
                continue;
            }
            var fields = line.Split(',');
            if (fields.Length != 10) throw Invalid(path, $"line {number} has {fields.Length} fields, not 10");
            var seed = int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw Invalid(path, $"line {number}: seed '{fields[0]}' is not a whole number");
            if (!wanted.Contains(seed)) continue;
            var run = Array.IndexOf(PairedRunReport.RunNames, fields[1]) >= 0 ? fields[1] : throw Invalid(path, $"line {number}: run '{fields[1]}' is neither baseline nor farcast");
            var point = new TrainingPoint(Whole(fields[2], "real_steps"), Whole(fields[3], "effective_steps"), Real(fields[4], "seconds"), Real(fields[5], "validation_accuracy"),
                Real(fields[6], "validation_loss"), fields[7] == "" ? null : Real(fields[7], "average_accuracy"), fields[8] == "" ? null : Real(fields[8], "average_loss"),
                fields[9] switch { "1" => true, "0" => false, _ => throw Invalid(path, $"line {number}: stands '{fields[9]}' is neither 1 nor 0") });
            if (!curves.TryGetValue((seed, run), out var points)) curves[(seed, run)] = points = new List<TrainingPoint>();
            if (points.Count > 0 && point.RealSteps < points[^1].RealSteps) throw Invalid(path, $"line {number}: real step {point.RealSteps} comes after {points[^1].RealSteps}");
            points.Add(point);
        }
        return curves.ToDictionary(p => p.Key, p => (IReadOnlyList<TrainingPoint>)p.Value);

        long Whole(string field, string name) => long.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
            ? v : throw Invalid(path, $"line {number}: {name} '{field}' is not a step count");
        double Real(string field, string name) => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw Invalid(path, $"line {number}: {name} '{field}' is not a number");
    }

    private static TrendAgreement? AgreementOf(JsonNode? node, string path) => node switch
    {
        null => null,
        JsonObject a => new TrendAgreement(Integer(a, "judged", path), Integer(a, "trend_agreed", path), Integer(a, "trend_would_keep", path)),
        _ => throw Invalid(path, "race_trend_agreement is not an object"),
    };

    private static int Integer(JsonObject node, string key, string path) =>
        node[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw Invalid(path, $"'{key}' is not a whole number");

    private static double Number(JsonObject node, string key, string path) =>
        node[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw Invalid(path, $"'{key}' is not a number");

    private static string Text(JsonObject node, string key, string path) =>
        node[key] is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw Invalid(path, $"'{key}' is not a string");

    private static string FirstDifference(JsonObject recorded, JsonObject recomputed) =>
        recorded.Select(p => p.Key).Union(recomputed.Select(p => p.Key)).FirstOrDefault(k => !Same(recorded[k], recomputed[k])) is { } key
            ? $"{key}: {Show(recorded[key])} recorded, {Show(recomputed[key])} from the curves"
            : "a number's digits";

    /// <summary>Whether two values read the same: numbers are compared as the digits written, which round-trip exactly.</summary>
    private static bool Same(JsonNode? a, JsonNode? b) => a?.ToJsonString() == b?.ToJsonString();

    private static string Show(JsonNode? node) => node?.ToJsonString() is not { } text ? "null" : text.Length > 80 ? text[..77] + "..." : text;

    private static InvalidDataException Invalid(string path, string problem) => new($"{path} {problem}.");
}
