using Microsoft.Extensions.Configuration;

namespace FarcastCallback.Cli.Tests;

/// <summary>
/// Mistaken and hostile command lines, run in-process: each ends in one line naming the problem and exit code 2, before
/// any training starts.
/// </summary>
[NonParallelizable]   // AnsiConsole.Console is process-wide
public sealed class CommandLineErrorTests
{
    /// <summary>A mistake found before any work starts: the error is all that is printed.</summary>
    private static void AssertOneLineError(string[] args, string message) =>
        Assert.That(CliRunner.AssertError(args, message).Split('\n'), Has.Length.EqualTo(1), "one line");

    [TestCase("--stpes", "2", "Unknown option 'stpes'")]
    [TestCase("--bogus-flag", "3", "Unknown option 'bogus-flag'")]
    [TestCase("--Farcast:Horizon", "20", "write farcast settings as --Farcast:KEY=VALUE")]
    [TestCase("--Farcast:WarmupSteps=abc", "", "Farcast:WarmupSteps='abc' is not a whole number from 0 to 2147483647")]
    [TestCase("--Farcast:WarmupSteps=", "", "Farcast:WarmupSteps=(empty) is not a whole number")]
    [TestCase("--Farcast:Horizon=1e3", "", "Farcast:Horizon='1e3' is not a whole number from 1 to 100000")]
    [TestCase("--Farcast:Mode=Foo", "", "Farcast:Mode='Foo' is not one of Resume, Stop")]
    [TestCase("--Farcast:Map=Learned", "", "Farcast:Map='Learned' is not one of Fitted, LinearExtrapolation, Smoothing")]
    [TestCase("--Farcast:Stride=1e30", "", "Farcast:Stride='1e30' is not a whole number")]
    [TestCase("--Farcast:MinJump=99999999999", "", "Farcast:MinJump='99999999999' is not a whole number")]
    [TestCase("--Farcast:Horizn=5", "", "Farcast:Horizn is not a farcast setting")]
    [TestCase("--Farcast:Lambda=NaN", "", "Farcast:Lambda='NaN' is not a finite number")]
    [TestCase("--Farcast:Horizon=0", "", "Farcast:Horizon must be between 1 and 100000; got 0.")]
    [TestCase("--Farcast:ObservedAverageDecay=1", "", "Farcast:ObservedAverageDecay must be below 1 (an average of decay 1 never moves); got 1.")]
    [TestCase("--lr", "NaN", "--lr must be a positive number")]
    [TestCase("--lr", "1e300", "--lr must be a positive number of at most 1000000")]
    [TestCase("--lr", "1e38", "--lr must be a positive number of at most 1000000; got 1E+38.")]
    [TestCase("--reference-lr", "1e39", "--reference-lr must be a positive number of at most 1000000")]
    [TestCase("--lr-grid", "0.01,1e39", "--lr-grid must be comma-separated positive numbers of at most 1000000")]
    [TestCase("--points", "1000000", "--points must be between 2 and 100000; got 1000000.")]
    [TestCase("--target-loss", "-1", "--target-loss must be a positive finite number (a training loss is never below 0); got -1.")]
    [TestCase("--seeds", "0", "--seeds must be at least 1")]
    public void A_mistaken_fullbatch_argument_is_one_line_naming_it(string flag, string value, string message) =>
        AssertOneLineError(value == "" ? new[] { "fullbatch", "--task", "pinn", flag } : new[] { "fullbatch", "--task", "pinn", flag, value }, message);

    [TestCase("--lr-grid", "0.1,0.1", "--lr-grid lists 0.1 more than once")]
    [TestCase("--out", "", "--out is empty; give a folder.")]
    [TestCase("--Farcast:Mode=Stop", "", "Farcast:Mode=Stop does not apply to fullbatch")]
    public void A_fullbatch_setting_that_cannot_apply_is_one_line_naming_it(string flag, string value, string message) =>
        AssertOneLineError(flag.StartsWith("--Farcast:", StringComparison.Ordinal)
            ? new[] { "fullbatch", "--task", "pinn", flag, "--Farcast:TotalSteps=500" }
            : new[] { "fullbatch", "--task", "pinn", flag, value }, message);

    [TestCase("--step-loss-guard", "--step-loss-guard judges a jump by the losses of the steps after it: give --Farcast:JudgeAfterSteps=1 or more")]
    [TestCase("--step-loss-guard --no-guard --Farcast:JudgeAfterSteps=1", "--step-loss-guard and --no-guard contradict each other; give one.")]
    public void The_step_loss_guard_needs_a_delay_and_a_guard(string flags, string message) =>
        AssertOneLineError(new[] { "fullbatch", "--task", "pinn" }.Concat(flags.Split(' ')).ToArray(), message);

    [TestCase("--size", "32", "--size applies to --task inr only.")]
    [TestCase("--size:32", "", "--size applies to --task inr only.")]
    [TestCase("--activation=Sine", "", "--activation applies to --task inr only.")]
    [TestCase("--label-column", "y", "--label-column applies to --csv (the classifier's CSV file) only.")]
    [TestCase("--momentum", "0.5", "--momentum applies to --optimizer Sgd only.")]
    public void An_option_the_pinn_job_does_not_use_is_refused_in_every_form(string flag, string value, string message) =>
        AssertOneLineError(value == "" ? new[] { "fullbatch", "--task", "pinn", flag } : new[] { "fullbatch", "--task", "pinn", flag, value }, message);

    [TestCase("--task", "inr", "--dataset applies to --task classifier only.")]
    [TestCase("--csv", "data.csv", "--dataset and --csv are two sources of data; give one.")]
    public void The_classifier_dataset_is_refused_where_it_does_not_apply(string flag, string value, string message) =>
        AssertOneLineError(flag == "--task" ? new[] { "fullbatch", "--task", value, "--dataset", "Moons" }
            : new[] { "fullbatch", "--task", "classifier", "--dataset", "Moons", flag, value }, message);

    [TestCase("mnist", "--preset", "5", "'5' is not one of MnistPreset's names: None, Fm16, Fm32, CnnFashion.")]
    [TestCase("mnist", "--preset", "1", "'1' is not one of MnistPreset's names")]
    [TestCase("mnist", "--optimizer=9", "", "'9' is not one of InnerOptimizer's names: Adam, Sgd, AdamW.")]
    [TestCase("mnist", "--lr-schedule:-1", "", "'-1' is not one of LearningRateSchedule's names")]
    [TestCase("fullbatch", "--task", "2", "'2' is not one of FullBatchTaskName's names")]
    [TestCase("fullbatch", "--activation", "7", "'7' is not one of CoordinateActivation's names")]
    [TestCase("fullbatch", "--dataset", "0", "'0' is not one of ClassifierDataset's names")]
    public void An_enum_option_takes_names_only_never_numbers(string command, string flag, string value, string message) =>
        AssertOneLineError(value == "" ? new[] { command, flag } : new[] { command, flag, value }, message);

    [TestCase("mnist", "--ema-decay", "1", "--ema-decay must be at least 0 and below 1; got 1.")]
    [TestCase("mnist", "--ema-decay", "NaN", "--ema-decay must be at least 0 and below 1; got NaN.")]
    [TestCase("text", "--ema-decay", "-0.5", "--ema-decay must be at least 0 and below 1; got -0.5.")]
    [TestCase("fullbatch", "--ema-decay", "1.5", "--ema-decay must be at least 0 and below 1; got 1.5.")]
    [TestCase("mnist", "--momentum", "0.5", "--momentum applies to --optimizer Sgd only.")]
    [TestCase("mnist", "--momentum:0.5", "", "--momentum applies to --optimizer Sgd only.")]
    [TestCase("text", "--lora-alpha", "8", "--lora-alpha applies to --lora RANK (LoRA fine-tuning) only.")]
    [TestCase("text", "--lora-targets=q,k", "", "--lora-targets applies to --lora RANK (LoRA fine-tuning) only.")]
    [TestCase("text", "--lora", "100000", "--lora must be a rank from 1 to 16384")]
    [TestCase("text", "--lora", "2147483647", "--lora must be a rank from 1 to 16384")]
    public void An_option_the_run_does_not_use_or_cannot_hold_is_refused(string command, string flag, string value, string message) =>
        AssertOneLineError(value == "" ? new[] { command, flag } : new[] { command, flag, value }, message);

    [TestCase("text", "--labels a,b", "--labels applies to --csv (a CSV of texts) only.")]
    [TestCase("text", "--text-column=t", "--text-column applies to --csv (a CSV of texts) only.")]
    [TestCase("text", "--csv texts.csv --categories art", "--categories applies to the fortunes (without --csv) only.")]
    [TestCase("paper distilbert", "--sequences s.npy --lr 0.1", "--lr applies to fine-tuning (without --sequences) only.")]
    [TestCase("paper distilbert", "--sequences s.npy --checkpoint dir", "--checkpoint applies to fine-tuning (without --sequences) only.")]
    public void A_text_option_the_chosen_source_does_not_read_is_refused(string command, string arguments, string message) =>
        AssertOneLineError(command.Split(' ').Concat(arguments.Split(' ')).ToArray(), message);

    [Test]
    public void A_weight_average_is_refused_where_no_paired_run_keeps_it() =>
        AssertOneLineError(new[] { "fullbatch", "--ema-decay", "0.9", "--lr-grid", "0.01" },
            "--ema-decay applies to the paired runs only; --lr-grid trains plain runs to tune the rate.");

    [Test]
    public void A_farcast_section_that_is_a_value_is_refused_not_dropped()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Farcast"] = "x" }).Build();

        Assert.That(() => FarcastSettingArguments.Check(configuration), Throws.ArgumentException
            .With.Message.EqualTo("Farcast must be a section of settings in appsettings, not the value 'x'."));
    }

    [TestCase("fullbatch")]
    [TestCase("mnist")]
    [TestCase("text")]
    [TestCase("paper cnn")]
    [TestCase("paper distilbert")]
    public void A_cuda_device_without_a_cuda_backend_is_one_line_naming_what_to_build(string command) =>
        AssertOneLineError(command.Split(' ').Concat(new[] { "--device", "cuda" }).ToArray(),
            "--device cuda: TorchSharp finds no CUDA device here (this farcast is built with the 'cpu' libtorch backend).");

    [TestCase("gpu")]
    [TestCase("cuda:-1")]
    [TestCase("cuda:x")]
    public void A_device_that_is_not_cpu_or_cuda_is_refused(string device) =>
        AssertOneLineError(new[] { "fullbatch", "--device", device }, $"--device must be cpu, cuda or cuda:N; got '{device}'.");

    [Test]
    public void Enum_names_stay_case_insensitive() =>
        AssertOneLineError(new[] { "mnist", "--optimizer", "adamw", "--lr-schedule", "lineardecay", "--steps", "0" }, "--steps must be at least 1");

    [Test]
    public void A_seed_range_past_int_max_is_refused() =>
        AssertOneLineError(new[] { "fullbatch", "--seed", "2147483647", "--seeds", "3" }, "runs past the largest seed");

    [Test]
    public void Farcast_settings_given_to_a_command_that_takes_none_are_refused() =>
        AssertOneLineError(new[] { "paper", "syn1", "--Farcast:Horizon=3" }, "apply to the fullbatch, mnist and text commands only");

    [Test]
    public void An_output_path_that_is_a_file_a_device_or_a_full_folder_is_refused_before_training()
    {
        var file = Path.GetTempFileName();
        var full = Directory.CreateTempSubdirectory("farcast-full-").FullName;
        File.WriteAllText(Path.Combine(full, "steps.csv"), "old");

        AssertOneLineError(new[] { "fullbatch", "--out", file }, "is a file");
        AssertOneLineError(new[] { "fullbatch", "--out", "/dev/null" }, "is a file");
        AssertOneLineError(new[] { "fullbatch", "--out", full }, "is not empty; choose a new folder, or pass --force");
        AssertOneLineError(new[] { "fullbatch", "--out", "/proc/no-such-folder/out" }, "cannot be written");
        File.Delete(file);
        Directory.Delete(full, true);
    }

    [TestCase("--lora", "-1", "--lora must be 0 (full fine-tuning) or a rank of at least 1")]
    [TestCase("--lora-targets", "q,x", "'x' is not one of q, k, v, o")]
    public void A_mistaken_lora_option_is_refused(string flag, string value, string message) =>
        AssertOneLineError(new[] { "text", "--lora", "8", flag, value }, message);

    [Test]
    public void A_preset_refuses_the_options_it_fixes() =>
        AssertOneLineError(new[] { "mnist", "--preset", "Fm16", "--lr", "0.1" }, "--lr is fixed by --preset Fm16");

    [TestCase("mnist --preset Fm16 --lr-grid 1e-3", "--lr-grid is fixed by --preset Fm16")]
    [TestCase("mnist --lr-grid 1e-3,1e-3", "--lr-grid lists 0.001 more than once; give each rate once.")]
    [TestCase("mnist --lr-grid 1e-3,abc", "--lr-grid must be comma-separated positive numbers of at most 1000000; got '1e-3,abc'.")]
    [TestCase("mnist --lr 1e-3 --lr-grid 3e-3", "--lr and --lr-grid contradict each other: the grid trains at each of its rates; give one.")]
    [TestCase("mnist --preset CnnFashion --lr-grid 1e-3 --verify-images 5", "--verify-images applies to the paired runs only; --lr-grid trains plain runs, evaluated on the guard's pool.")]
    public void A_mistaken_rate_grid_is_one_line_naming_it(string args, string message) => AssertOneLineError(args.Split(' '), message);

    [TestCase("mnist --ema-restart-delay -1", "--ema-restart-delay must be 0 or more real steps; got -1.")]
    [TestCase("mnist --ema-decay 0 --ema-restart-delay 50", "--ema-restart-delay applies to a run with a weight average; --ema-decay 0 keeps none.")]
    [TestCase("mnist --lr-grid 1e-3 --ema-restart-delay=50", "--ema-restart-delay applies to the paired runs only; --lr-grid trains plain runs, which never jump.")]
    public void A_mistaken_average_restart_delay_is_one_line_naming_it(string args, string message) => AssertOneLineError(args.Split(' '), message);

    [Test]
    public void A_rate_grid_cannot_be_resumed()
    {
        var empty = Directory.CreateTempSubdirectory("farcast-cli-").FullName;
        AssertOneLineError(new[] { "mnist", "--lr-grid", "1e-3", "--resume", "--out", empty }, "--resume goes on with a paired run; --lr-grid cannot be resumed: run it again.");
        Directory.Delete(empty, true);
    }

    [Test]
    public void The_cnn_preset_takes_a_rate_but_not_a_batch_size() =>
        AssertOneLineError(new[] { "mnist", "--preset", "CnnFashion", "--lr", "5e-4", "--batch-size", "64" },
            "--batch-size is fixed by --preset CnnFashion (AdamW, batch 128, constant rate, all images; --lr may be given).");

    [Test]
    public void A_sequence_file_with_a_lying_shape_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"farcast-{Guid.NewGuid():N}.npy");
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 3), }";
        header = header.PadRight(118) + "\n";
        using (var file = File.Create(path))
        {
            file.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
            file.Write(BitConverter.GetBytes((ushort)header.Length));
            file.Write(System.Text.Encoding.ASCII.GetBytes(header));
            file.Write(new byte[800]);
        }

        AssertOneLineError(new[] { "eval", "--sequences", path, "--input-steps", "5" }, "needs 240,000,000,000 bytes of data, the file holds 800");
        File.Delete(path);
    }
}

/// <summary>Mistaken data and model arguments, refused before training.</summary>
[NonParallelizable]
public sealed class DataArgumentErrorTests
{
    private static string TempFolder() => Directory.CreateTempSubdirectory("farcast-cli-").FullName;

    private static void AssertError(string[] args, string message) => CliRunner.AssertError(args, message);

    [Test]
    public void A_checkpoint_that_is_missing_or_a_file_is_named()
    {
        var file = Path.GetTempFileName();
        AssertError(new[] { "text", "--checkpoint", "/no/such/checkpoint" }, "--checkpoint '/no/such/checkpoint' does not exist");
        AssertError(new[] { "text", "--checkpoint", file }, "is a file; give the checkpoint's folder");
        File.Delete(file);
    }

    [Test]
    public void A_max_length_beyond_the_checkpoints_positions_is_refused_before_training()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "config.json"), "{\"model_type\":\"distilbert\",\"max_position_embeddings\":64,\"dim\":32,\"n_heads\":4,\"n_layers\":1,\"hidden_dim\":64}");

        AssertError(new[] { "text", "--checkpoint", folder, "--max-length", "128" }, "--max-length 128 is more than the checkpoint's max_position_embeddings, 64");
        Directory.Delete(folder, true);
    }

    [Test]
    public void Csv_mistakes_are_named_with_the_file()
    {
        var folder = TempFolder();
        var same = Path.Combine(folder, "texts.csv");
        File.WriteAllText(same, "text,label\na,x\nb,y\n");
        AssertError(new[] { "text", "--csv", same, "--text-column", "text", "--label-column", "text" }, "a text cannot be its own label");
        AssertError(new[] { "text", "--csv", same, "--labels", "," }, "--labels names nothing");

        var oneClass = Path.Combine(folder, "one.csv");
        File.WriteAllText(oneClass, "text,label\nhello,x\nworld,x\n");
        AssertError(new[] { "text", "--csv", oneClass }, "holds 1 class; text classification needs at least 2");

        var invalid = Path.Combine(folder, "invalid.csv");
        File.WriteAllBytes(invalid, System.Text.Encoding.ASCII.GetBytes("text,label\nhello,").Concat(new byte[] { 0xC3, 0x28 }).Concat(System.Text.Encoding.ASCII.GetBytes("\nworld,b\n")).ToArray());
        AssertError(new[] { "text", "--csv", invalid }, "invalid.csv: not valid UTF-8");
        Directory.Delete(folder, true);
    }

    [Test]
    public void Data_that_is_a_file_and_guard_sizes_beyond_the_data_are_refused()
    {
        var file = Path.GetTempFileName();
        AssertError(new[] { "mnist", "--data", file }, "is a file, not a folder");
        AssertError(new[] { "text", "--data", file }, "is a file, not a folder");
        File.Delete(file);
    }

    [Test]
    public void An_empty_checkpoint_list_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"farcast-{Guid.NewGuid():N}.npy");
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 12), }".PadRight(118) + "\n";
        using (var stream = File.Create(path))
        {
            stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
            stream.Write(System.Text.Encoding.ASCII.GetBytes(header));
            stream.Write(new byte[4 * 12 * 8]);
        }

        AssertError(new[] { "eval", "--sequences", path, "--input-steps", "3", "--checkpoints", "," }, "--checkpoints names no step");
        File.Delete(path);
    }
}
