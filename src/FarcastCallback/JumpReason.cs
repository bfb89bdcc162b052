namespace FarcastCallback;

/// <summary>Why a farcast jump was kept or rejected.</summary>
public enum JumpReason
{
    /// <summary>The jump was written and kept (verification, if configured, passed).</summary>
    Accepted = 0,

    /// <summary>Stop mode: the jump reached <see cref="FarcastOptions.TotalSteps"/>; training should end.</summary>
    FinalFarcast = 1,

    /// <summary>The fitted map or the forecast weights held NaN or infinity; nothing was written.</summary>
    NonFiniteForecast = 2,

    /// <summary>The verification loss after the jump was not finite or rose beyond the tolerance; the weights were rolled back.</summary>
    VerificationFailed = 3,
}
