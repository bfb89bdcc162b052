using FarcastCallback.Forecasting;
using FarcastCallback.Jumping;
using FarcastCallback.Observation;
using TorchSharp.Modules;

namespace FarcastCallback.Tests;

public sealed class WeightJumpTests
{
    [Test]
    public void A_forecast_that_overflows_is_not_written()
    {
        using var weights = new Parameter(full(new long[] { 3, 2 }, 1e30f));
        using var other = new Parameter(ones(4));
        using var buffers = NewBuffers(weights, other);
        var overflowing = new Lfd2Map(new[] { 0.0 }, new[] { 1e10 }, new[] { 0.0 });   // 1e40 does not fit in float32
        var identity = new Lfd2Map(new[] { 0.0 }, new[] { 1.0 }, new[] { 0.0 });
        using var before = weights.detach().clone();
        using var otherBefore = other.detach().clone();

        bool written;
        using (no_grad()) written = WeightJump.TryWrite(buffers, new[] { overflowing, identity }, 1);

        Assert.That(written, Is.False);
        Assert.That(weights.equal(before).all().item<bool>(), "no tensor is written when any forecast is not finite");
        Assert.That(other.equal(otherBefore).all().item<bool>());
    }

    [Test]
    public void A_written_jump_applies_the_map_to_the_recent_window_and_rolls_back_exactly()
    {
        using var weights = new Parameter(tensor(new[] { 1.0f, 2.0f, 3.0f }));
        using var buffers = NewBuffers(weights);
        using (no_grad())
        {
            buffers.RecordRecentStart();                       // w(recent start) = (1, 2, 3)
            weights.copy_(tensor(new[] { 2.0f, 4.0f, 7.0f }));  // w(now)
        }
        var map = new Lfd2Map(new[] { -0.5 }, new[] { 1.5 }, new[] { 0.25 });

        using (no_grad()) Assert.That(WeightJump.TryWrite(buffers, new[] { map }, 1));
        Assert.That(weights.data<float>().ToArray(), Is.EqualTo(new[] { 2.75f, 5.25f, 9.25f }));

        using (no_grad()) WeightJump.RollBack(buffers);
        Assert.That(weights.data<float>().ToArray(), Is.EqualTo(new[] { 2.0f, 4.0f, 7.0f }));
    }

    private static WindowBuffers NewBuffers(params Parameter[] parameters) => new(parameters);
}
