using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback;

/// <summary>Saving and loading the wrapper's state beside the inner optimizer's, under a stable name and format version.</summary>
public sealed partial class FarcastOptimizer
{
    private const string StateFormatName = "FarcastCallback.FarcastOptimizer";
    private const int StateFormatVersion = 3;

    /// <summary>
    /// Saves the inner optimizer's state (managed TorchSharp optimizers) and the farcast state — counters, window
    /// statistics and buffers, random generator — so a run resumed from it produces the same weights.
    /// </summary>
    public void save_state_dict(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(StateFormatName);
        writer.Write(StateFormatVersion);
        writer.Write(_parameters.Length);
        writer.Write(_options.InputSteps);
        writer.Write(_options.Horizon);
        writer.Write((int)_options.Fit);
        writer.Write((int)_options.Granularity);
        writer.Write(_options.Stride);
        writer.Write(Inner is OptimizerHelper);
        if (Inner is OptimizerHelper helper) helper.save_state_dict(writer);
        writer.Write(RealSteps);
        writer.Write(EffectiveSteps);
        writer.Write(Jumps);
        writer.Write(RejectedJumps);
        writer.Write(ShouldStop);
        writer.Write(_random.State);
        writer.Write(_consecutiveRejections);
        writer.Write(_resumeAtRealStep);
        writer.Write(_reusesLeft);
        writer.Write(_lastKeptRung);
        writer.Write(LastMaps.Count);
        foreach (var map in LastMaps) map.Write(writer);
        writer.Write(_window is not null);
        if (_window is not { } window) return;
        writer.Write(window.ReusesMap);
        writer.Write(_position);
        using var scope = NewDisposeScope();
        _fit!.Write(writer);
        _buffers!.Write(writer);
    }

    /// <summary>Saves the state to a file; see <see cref="save_state_dict(BinaryWriter)"/>.</summary>
    public void save_state_dict(string location)
    {
        using var stream = File.Create(location);
        using var writer = new BinaryWriter(stream);
        save_state_dict(writer);
    }

    /// <summary>Loads a state written by <see cref="save_state_dict(BinaryWriter)"/> with the same settings and parameters.</summary>
    /// <exception cref="InvalidDataException">The stream is not farcast state, or was saved with other settings.</exception>
    public void load_state_dict(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var name = reader.ReadString();
        if (name != StateFormatName)
            throw new InvalidDataException($"Not a FarcastOptimizer state: found '{name}'.");
        var version = reader.ReadInt32();
        if (version != StateFormatVersion)
            throw new InvalidDataException($"FarcastOptimizer state format {version} is not supported (expected {StateFormatVersion}).");
        // Settings first: a state saved for another configuration is refused before the inner optimizer is touched.
        Expect(reader.ReadInt32(), _parameters.Length, "parameter tensors");
        Expect(reader.ReadInt32(), _options.InputSteps, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.InputSteps));
        Expect(reader.ReadInt32(), _options.Horizon, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.Horizon));
        Expect(reader.ReadInt32(), (int)_options.Fit, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.Fit));
        Expect(reader.ReadInt32(), (int)_options.Granularity, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.Granularity));
        Expect(reader.ReadInt32(), _options.Stride, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.Stride));
        if (reader.ReadBoolean())
        {
            if (Inner is not OptimizerHelper helper)
                throw new InvalidDataException($"The state holds an inner optimizer state, but {Inner.GetType().Name} cannot load one.");
            helper.load_state_dict(reader);
        }

        RealSteps = reader.ReadInt64();
        EffectiveSteps = reader.ReadInt64();
        Jumps = reader.ReadInt32();
        RejectedJumps = reader.ReadInt32();
        ShouldStop = reader.ReadBoolean();
        _random.State = reader.ReadUInt64();
        _consecutiveRejections = reader.ReadInt32();
        _resumeAtRealStep = reader.ReadInt64();
        _reusesLeft = reader.ReadInt32();
        _lastKeptRung = reader.ReadInt32();
        var mapCount = reader.ReadInt32();
        if (mapCount != 0) Expect(mapCount, _parameters.Length, "fitted maps");
        LastMaps = Enumerable.Range(0, mapCount).Select(_ => Lfd2Map.Read(reader)).ToArray();
        _window = null;
        if (!reader.ReadBoolean()) return;

        var window = new WindowSchedule(_options.InputSteps, _options.Horizon, _options.Stride, ReusesMap: reader.ReadBoolean());
        var position = reader.ReadInt64();
        if (position < 0 || position > window.End)
            throw new InvalidDataException($"Saved farcast state is at position {position} of a window that ends at {window.End}.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (buffers, fit) = EnsureWindow();
        fit.Read(reader);
        buffers.Read(reader);
        _window = window;
        _position = position;
    }

    /// <summary>Loads the state from a file; see <see cref="load_state_dict(BinaryReader)"/>.</summary>
    public void load_state_dict(string location)
    {
        using var stream = File.OpenRead(location);
        using var reader = new BinaryReader(stream);
        load_state_dict(reader);
    }

    private static void Expect(int actual, int expected, string what)
    {
        if (actual != expected)
            throw new InvalidDataException($"Saved farcast state does not match this optimizer: {what} is {actual} in the state, {expected} here.");
    }
}
