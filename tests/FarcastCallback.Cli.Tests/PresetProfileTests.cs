using FarcastCallback.Cli.Commands;
using FarcastCallback.Hosts.Mnist;

namespace FarcastCallback.Cli.Tests;

/// <summary>The farcast settings each <c>--preset</c> runs with, as the shipped profiles give them.</summary>
public sealed class PresetProfileTests
{
    private static FarcastOptions Options(MnistPreset preset) =>
        PairedRunConsole.FarcastOptions(FarcastSettingArguments.Extract(Array.Empty<string>()).Settings, MnistCommand.Profiles(preset));

    [Test]
    public void Nino_s_tasks_jump_first_at_real_step_3400()
    {
        // 1,000 warm-up steps, then (5 - 1 + 8) snapshots 200 steps apart: the first jump of docs/benchmarks.md's FM-16 runs.
        Assert.That(Options(MnistPreset.Fm16).FirstJumpRealStep(), Is.EqualTo(3_400));
        Assert.That(Options(MnistPreset.Fm32).FirstJumpRealStep(), Is.EqualTo(3_400));
    }

    [Test]
    public void The_cnn_preset_scales_nino_s_cadence_to_its_run_so_that_it_can_jump()
    {
        var nino = Options(MnistPreset.Fm16);
        var cnn = Options(MnistPreset.CnnFashion);
        var (steps, _, _) = MnistPreset.CnnFashion.Defaults();

        Assert.That(nino.FirstJumpRealStep(), Is.GreaterThan(steps), "at NiNo's cadence the CNN's run would end before its first jump");
        var scale = steps / (double)MnistPreset.Fm16.Defaults().Steps;
        Assert.That(cnn.WarmupSteps, Is.EqualTo(nino.WarmupSteps * scale).Within(1e-9));
        Assert.That(cnn.Stride, Is.EqualTo(nino.Stride * scale).Within(1e-9));
        Assert.That(cnn.FirstJumpRealStep(), Is.EqualTo(nino.FirstJumpRealStep() * scale).Within(1e-9));
        Assert.That((cnn.InputSteps, cnn.Horizon, cnn.MinJump, cnn.RefitEvery, cnn.MinTensorSize, cnn.VerifyStandardErrors, cnn.Map),
            Is.EqualTo((nino.InputSteps, nino.Horizon, nino.MinJump, nino.RefitEvery, nino.MinTensorSize, nino.VerifyStandardErrors, nino.Map)),
            "everything counted in snapshots is FM-16's, untouched");
    }
}
