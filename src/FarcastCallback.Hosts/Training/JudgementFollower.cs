namespace FarcastCallback.Hosts.Training;

/// <summary>
/// What a host's record of a farcast run does about its optimizer's judgements, in one place for every host: the
/// weight average is told wherever the weights jumped for good (it starts again there, at once or after a delay), and
/// when a delayed judgement replaces the weights (rolled back, or under a race swapped for the twin) the evaluations
/// made from the real step the jump was written at no longer stand and the average starts again at once. An immediate
/// rejection replaced nothing a host saw.
/// </summary>
internal static class JudgementFollower
{
    /// <param name="farcast">The run's optimizer.</param>
    /// <param name="jumpKept">A jump was kept: the weights moved for good.</param>
    /// <param name="restartAverage">Starts the run's weight average again at the current weights.</param>
    /// <param name="voidFrom">Marks the evaluations from this real step on as not standing.</param>
    public static void Follow(FarcastOptimizer farcast, Action jumpKept, Action restartAverage, Action<long> voidFrom)
    {
        farcast.Jumped += (_, _) => jumpKept();
        farcast.JumpRejected += (_, e) =>
        {
            if (e.JudgedAfterSteps == 0) return;
            voidFrom(e.WrittenAtRealStep);
            restartAverage();
        };
    }
}
