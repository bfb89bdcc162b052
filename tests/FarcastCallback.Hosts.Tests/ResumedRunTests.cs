using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;

namespace FarcastCallback.Hosts.Tests;

/// <summary>A job cut off after some seeds goes on from its folder and ends as one uninterrupted job; a folder that is not that job's is refused.</summary>
public sealed class ResumedRunTests
{
    private static readonly RunInfo Started = RunInfo.Current("farcast mnist --seeds 3");

    // A guard on rotating chunks of the verification split with a race (so the tallies and the trend agreement are
    // recorded too) and a weight average: every figure a seed's entry holds.
    private static readonly MnistJobSettings Settings = new(Steps: 24, Seeds: 3, FirstSeed: 5, BatchSize: 16, EvaluateEvery: 2, VerifyChunk: 5, AverageDecay: 0.9);

    private static readonly FarcastOptions Options = new()
    {
        WarmupSteps = 2, InputSteps = 2, Horizon = 3, MinJump = 1, RefitEvery = 0, JudgeAfterSteps = 3, JudgeAgainst = FarcastCounterfactual.Race,
    };

    private static MnistData Data()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 30);
        return MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 20);
    }

    /// <summary>A folder holding the first <paramref name="seeds"/> seeds as the command leaves it after the last of them.</summary>
    private static (string Folder, IReadOnlyList<PairedSeedResult> Results) CutOffAfter(int seeds, MnistJobSettings? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("farcast-resume-").FullName;
        var results = MnistJob.Run(Data(), (settings ?? Settings) with { Seeds = seeds }, Options);
        MnistJob.Write(folder, results, MnistJob.Summary(results, Started, settings ?? Settings, Options), Settings);
        return (folder, results);
    }

    private static PairedRunRecord Read(string folder, MnistJobSettings? settings = null, FarcastOptions? options = null, int firstSeed = 5) =>
        PairedRunRecord.Read(folder, settings ?? Settings, options ?? Options, firstSeed, targetAccuracy: null);

    /// <summary>Every figure of a curve but the clock, which differs between any two runs.</summary>
    private static object[] Figures(IEnumerable<TrainingPoint> points) =>
        points.Select(p => (object)(p.RealSteps, p.EffectiveSteps, p.ValidationAccuracy, p.ValidationLoss, p.AverageAccuracy, p.AverageLoss, p.Stands)).ToArray();

    [Test]
    public void A_folder_reads_back_to_the_seeds_that_wrote_it_and_to_the_same_summary()
    {
        var (folder, written) = CutOffAfter(seeds: 2);

        var record = Read(folder);

        Assert.That(record.Seeds.Select(s => s.Seed), Is.EqualTo(new[] { 5, 6 }));
        Assert.That(record.Run, Is.EqualTo(Started));
        Assert.That((record.Complete, record.Resumptions), Is.EqualTo((false, Array.Empty<RunInfo>())));
        for (var i = 0; i < 2; i++)
        {
            Assert.That(record.Seeds[i].Baseline, Is.EqualTo(written[i].Baseline), "every point, the clock too, to the last digit");
            Assert.That(record.Seeds[i].Farcast, Is.EqualTo(written[i].Farcast));
        }
        Assert.That(written.Sum(r => r.Jumps + r.RejectedJumps), Is.GreaterThan(0), "the seeds jumped: the tallies are not all zero");
        Assert.That(MnistJob.Summary(record.Seeds, Started, Settings, Options).ToJsonString(), Is.EqualTo(MnistJob.Summary(written, Started, Settings, Options).ToJsonString()));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_job_resumed_after_its_first_seed_ends_with_the_seeds_of_one_uninterrupted_job()
    {
        var uninterrupted = MnistJob.Run(Data(), Settings, Options);
        var (folder, _) = CutOffAfter(seeds: 1);

        var resumed = MnistJob.Run(Data(), Settings, Options, finished: Read(folder).Seeds);

        Assert.That(resumed.Select(r => r.Seed), Is.EqualTo(new[] { 5, 6, 7 }));
        for (var i = 0; i < 3; i++)
        {
            // Seeds 6 and 7 start their guard at the first chunk, as they do after seed 5 in one job.
            Assert.That(Figures(resumed[i].Farcast), Is.EqualTo(Figures(uninterrupted[i].Farcast)), $"seed {5 + i}");
            Assert.That(Figures(resumed[i].Baseline), Is.EqualTo(Figures(uninterrupted[i].Baseline)), $"seed {5 + i}");
            Assert.That((resumed[i].Jumps, resumed[i].RejectedJumps), Is.EqualTo((uninterrupted[i].Jumps, uninterrupted[i].RejectedJumps)));
        }
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_seed_runs_the_same_whether_or_not_other_seeds_ran_before_it_in_the_job()
    {
        // The immediate guard on one image at a time with no tolerance, and every other guard image mislabelled: a jump
        // that fits the data better is kept on a true image and rejected on a false one, so the image a check reads
        // decides it — and a seed that started where the seed before it left the guard would decide otherwise.
        var data = Data();
        var labels = data.Verification.Labels.Select((l, i) => i % 2 == 0 ? l : (byte)((l + 1) % 10)).ToArray();
        data = data with { Verification = new MnistImages(data.Verification.PixelValues, labels) };
        var settings = Settings with { Seeds = 2, VerifyChunk = 1 };
        var options = new FarcastOptions { WarmupSteps = 2, InputSteps = 2, Horizon = 3, MinJump = 1, RefitEvery = 0, VerifyTolerance = 0, VerifyStandardErrors = 0 };

        var job = MnistJob.Run(data, settings, options);
        var alone = MnistJob.Run(data, settings with { Seeds = 1, FirstSeed = 6 }, options).Single();

        Assert.That((job[0].Jumps + job[0].RejectedJumps) % 2, Is.EqualTo(1), "seed 5 left the guard on a mislabelled image");
        Assert.That((alone.Jumps, alone.RejectedJumps), Is.EqualTo((job[1].Jumps, job[1].RejectedJumps)));
        Assert.That(Figures(alone.Farcast), Is.EqualTo(Figures(job[1].Farcast)));
    }

    [Test]
    public void A_folder_written_with_other_settings_or_farcast_options_is_refused_naming_the_key()
    {
        var (folder, _) = CutOffAfter(seeds: 1);

        Assert.That(() => Read(folder, Settings with { Steps = 30 }), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains("was written with other settings: Steps is 24 there and 30 here; resume with the options of 'farcast mnist --seeds 3'"));
        Assert.That(() => Read(folder, options: new FarcastOptions { WarmupSteps = 2, InputSteps = 2, Horizon = 4, MinJump = 1, RefitEvery = 0, JudgeAfterSteps = 3, JudgeAgainst = FarcastCounterfactual.Race }),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("other farcast options: Horizon is 3 there and 4 here"));
        Assert.That(() => Read(folder, firstSeed: 6), Throws.TypeOf<InvalidDataException>().With.Message.Contains("run 1 is seed 5"));
        Assert.That(Read(folder, Settings with { Seeds = 8 }).Seeds, Has.Count.EqualTo(1), "the number of seeds may grow");
        Directory.Delete(folder, true);
    }

    [Test]
    public void Curves_that_do_not_give_the_recorded_figures_are_refused_naming_the_seed_and_the_figure()
    {
        var (folder, _) = CutOffAfter(seeds: 1);
        var steps = Path.Combine(folder, "steps.csv");
        var lines = File.ReadAllLines(steps);
        var last = Array.FindLastIndex(lines, l => l.StartsWith("5,baseline,", StringComparison.Ordinal));
        var fields = lines[last].Split(',');
        fields[5] = "0.123";   // the plain run's final accuracy
        lines[last] = string.Join(',', fields);
        File.WriteAllLines(steps, lines);

        Assert.That(() => Read(folder), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains("steps.csv does not give the figures summary.json records for seed 5 (target_accuracy:").And.Message.Contains("the files were edited or come from two runs"));
        Directory.Delete(folder, true);
    }

    [TestCase("5,baseline,0,0", "line 2 has 4 fields, not 10")]
    [TestCase("x,baseline,0,0,0,0.1,2.3,,,1", "line 2: seed 'x' is not a whole number")]
    [TestCase("5,twin,0,0,0,0.1,2.3,,,1", "line 2: run 'twin' is neither baseline nor farcast")]
    [TestCase("5,baseline,-4,0,0,0.1,2.3,,,1", "line 2: real_steps '-4' is not a step count")]
    [TestCase("5,baseline,0,0,0,zero,2.3,,,1", "line 2: validation_accuracy 'zero' is not a number")]
    [TestCase("5,baseline,0,0,0,0.1,2.3,,,yes", "line 2: stands 'yes' is neither 1 nor 0")]
    [TestCase("5,baseline,99999,0,0,0.1,2.3,,,1", "real step 0 comes after 99999")]
    public void A_malformed_steps_file_is_refused_naming_its_line(string firstRow, string problem)
    {
        var (folder, _) = CutOffAfter(seeds: 1);
        var steps = Path.Combine(folder, "steps.csv");
        var lines = File.ReadAllLines(steps).ToList();
        lines.Insert(1, firstRow);
        File.WriteAllLines(steps, lines);

        Assert.That(() => Read(folder), Throws.TypeOf<InvalidDataException>().With.Message.StartsWith(steps).And.Message.Contains(problem));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_folder_without_a_summary_or_without_the_curves_of_a_recorded_seed_is_refused()
    {
        var empty = Directory.CreateTempSubdirectory("farcast-resume-").FullName;
        Assert.That(() => Read(empty), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("holds no summary.json: no finished seed to resume from"));

        var (folder, _) = CutOffAfter(seeds: 1);
        var steps = Path.Combine(folder, "steps.csv");
        File.WriteAllLines(steps, File.ReadAllLines(steps).Where(l => !l.StartsWith("5,farcast,", StringComparison.Ordinal)));
        Assert.That(() => Read(folder), Throws.TypeOf<InvalidDataException>().With.Message.Contains("lacks the curves of seed 5, which summary.json records"));

        File.WriteAllText(Path.Combine(folder, "summary.json"), "{ \"settings\": ");
        Assert.That(() => Read(folder), Throws.TypeOf<InvalidDataException>().With.Message.Contains("summary.json is not valid JSON"));
        Directory.Delete(folder, true);
        Directory.Delete(empty, true);
    }

    [Test]
    public void Each_resumption_is_listed_after_the_earlier_ones()
    {
        var (folder, results) = CutOffAfter(seeds: 1);
        var summary = MnistJob.Summary(results, Started, Settings, Options);
        var first = RunInfo.Current("farcast mnist --seeds 3 --resume");
        summary[PairedRunRecord.ResumptionsKey] = Read(folder).ResumptionsWith(first);
        JsonFiles.Write(Path.Combine(folder, "summary.json"), summary);

        var record = Read(folder);
        var list = record.ResumptionsWith(RunInfo.Current("farcast mnist --seeds 4 --resume"));

        Assert.That(record.Resumptions, Is.EqualTo(new[] { first }));
        Assert.That(list.Select(r => r!["command"]!.GetValue<string>()), Is.EqualTo(new[] { "farcast mnist --seeds 3 --resume", "farcast mnist --seeds 4 --resume" }));
        Directory.Delete(folder, true);
    }
}
