namespace FarcastCallback;

/// <summary>
/// The default value of every <see cref="FarcastOptions"/> property, in one place: the settings that measured best on
/// full-batch training against plain Adam at its tuned rate (docs/design.md, "What was measured and ruled out").
/// </summary>
internal static class FarcastDefaults
{
    public const int WarmupSteps = 100;
    public const int InputSteps = 5;
    public const int Horizon = 64;
    public const int MinJump = 4;
    public const int Stride = 1;
    public const int RefitEvery = 1000;
    public const int MinTensorSize = 64;
    public const FarcastMap Map = FarcastMap.Fitted;
    public const double Lambda = 0.0;
    public const FarcastMode Mode = FarcastMode.Resume;
    public const long TotalSteps = 0;
    public const double VerifyTolerance = 0.0;
    public const double VerifyStandardErrors = 0.0;
    public const int JudgeAfterSteps = 0;
    public const FarcastHorizonSchedule HorizonSchedule = FarcastHorizonSchedule.Constant;
    public const FarcastCounterfactual JudgeAgainst = FarcastCounterfactual.Trend;
    public const double ObservedAverageDecay = 0.0;
}
