using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using FarcastCallback.Forecasting;
using FarcastCallback.Jumping;
using FarcastCallback.Observation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback;

/// <summary>
/// Saving and loading the wrapper's state beside the inner optimizer's. The file is a stable name, a format version, a
/// length-prefixed payload and its SHA-256: a damaged or truncated file is refused before anything changes, and a load
/// either applies the whole state or leaves the wrapper and the inner optimizer as they were.
/// </summary>
public sealed partial class FarcastOptimizer
{
    private const string StateFormatName = "FarcastCallback.FarcastOptimizer";
    private const int StateFormatVersion = 6;
    private const int HashBytes = 32;

    private static readonly PropertyInfo[] Settings = typeof(FarcastOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// Saves the inner optimizer's state (managed TorchSharp optimizers) and the farcast state — every setting, the
    /// counters, the fitted maps, the observed average (<see cref="FarcastOptions.ObservedAverageDecay"/>), the window's
    /// statistics and buffers — so a run resumed from it produces the same weights.
    /// </summary>
    /// <exception cref="InvalidOperationException">A jump is under judgement (<see cref="JumpUnderJudgement"/>): its weights may still be rolled back.</exception>
    public void save_state_dict(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending is not null)
            throw new InvalidOperationException(
                $"A farcast jump is under judgement for {_pending.StepsLeft} more real steps; save after it is judged ({nameof(JumpUnderJudgement)} is false).");
        var bytes = Written(WritePayload);
        writer.Write(StateFormatName);
        writer.Write(StateFormatVersion);
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
        writer.Write(SHA256.HashData(bytes));
    }

    /// <summary>Saves the state to a file; see <see cref="save_state_dict(BinaryWriter)"/>.</summary>
    public void save_state_dict(string location)
    {
        using var stream = File.Create(location);
        using var writer = new BinaryWriter(stream);
        save_state_dict(writer);
    }

    /// <summary>
    /// Loads a state written by <see cref="save_state_dict(BinaryWriter)"/> with the same settings and parameters: all of
    /// it, or — when anything is wrong — none of it.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not farcast state, is damaged or cut short, or was saved with
    /// other settings or parameters; the wrapper and the inner optimizer are unchanged.</exception>
    public void load_state_dict(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var payload = ReadVerifiedPayload(reader);
        using var body = new BinaryReader(new MemoryStream(payload, writable: false));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var hadWindow = _buffers is not null;
        Action apply;
        try
        {
            apply = ReadPayload(body);
            if (body.BaseStream.Position != body.BaseStream.Length)
                throw new InvalidDataException("Saved farcast state has bytes after its end.");
        }
        catch (EndOfStreamException)
        {
            if (!hadWindow) DisposeWindow();
            throw new InvalidDataException("Saved farcast state ends early.");
        }
        catch
        {
            if (!hadWindow) DisposeWindow();
            throw;
        }
        apply();
    }

    /// <summary>Loads the state from a file; see <see cref="load_state_dict(BinaryReader)"/>.</summary>
    public void load_state_dict(string location)
    {
        using var stream = File.OpenRead(location);
        using var reader = new BinaryReader(stream);
        load_state_dict(reader);
    }

    private void WritePayload(BinaryWriter writer)
    {
        writer.Write(Settings.Length);
        foreach (var setting in Settings)
        {
            writer.Write(setting.Name);
            writer.Write(SettingText(setting, _options));
        }
        writer.Write(_parameters.Length);
        foreach (var p in _parameters) writer.Write(p.numel());
        writer.Write(Inner is OptimizerHelper);
        if (Inner is OptimizerHelper helper)
        {
            var inner = InnerState(helper);
            writer.Write(inner.Length);
            writer.Write(inner);
        }
        writer.Write(RealSteps);
        writer.Write(EffectiveSteps);
        writer.Write(Jumps);
        writer.Write(RejectedJumps);
        writer.Write(ShouldStop);
        writer.Write(_reusesLeft);
        writer.Write(_lastKeptRung);
        writer.Write(_nextDelayedRung);
        WriteReading(writer, _recentReading);
        writer.Write(_recentReadingDue);
        writer.Write(LastMaps.Count);
        foreach (var map in LastMaps) map.Write(writer);
        using var scope = NewDisposeScope();
        foreach (var average in _observedAverage?.Averages ?? Array.Empty<Tensor>()) average.cpu().contiguous().Save(writer);
        writer.Write(_window is not null);
        if (_window is not { } window) return;
        writer.Write(window.ReusesMap);
        writer.Write(_position);
        _fit!.Write(writer);
        _buffers!.Write(writer);
    }

    /// <summary>Reads and checks the whole payload, changing nothing; the returned action applies it.</summary>
    private Action ReadPayload(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count != Settings.Length)
            throw new InvalidDataException($"Saved farcast state holds {count} settings, this version {Settings.Length}.");
        foreach (var setting in Settings)
        {
            var name = reader.ReadString();
            var saved = reader.ReadString();
            var here = SettingText(setting, _options);
            if (name != setting.Name)
                throw new InvalidDataException($"Saved farcast state holds setting '{name}' where this version has '{setting.Name}'.");
            if (saved != here)
                Mismatch($"{FarcastOptions.SectionName}:{name}", saved, here);
        }
        Expect(reader.ReadInt32(), _parameters.Length, "trained parameter tensors");
        for (var i = 0; i < _parameters.Length; i++)
            Expect(reader.ReadInt64(), _parameters[i].numel(), $"the size of parameter tensor {i}");

        byte[]? inner = null;
        if (reader.ReadBoolean())
        {
            if (Inner is not OptimizerHelper)
                throw new InvalidDataException($"The state holds an inner optimizer state, but {Inner.GetType().Name} cannot load one.");
            var length = reader.ReadInt32();
            if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
                throw new InvalidDataException("Saved farcast state ends early.");
            inner = reader.ReadBytes(length);
        }

        var realSteps = NonNegative(reader.ReadInt64(), "real steps");
        var effectiveSteps = NonNegative(reader.ReadInt64(), "effective steps");
        var jumps = (int)NonNegative(reader.ReadInt32(), "jumps");
        var rejected = (int)NonNegative(reader.ReadInt32(), "rejected jumps");
        var shouldStop = reader.ReadBoolean();
        var reusesLeft = reader.ReadInt32();
        if (reusesLeft < 0 || reusesLeft > _options.RefitEvery)
            throw new InvalidDataException($"Saved farcast state has {reusesLeft} map reuses left; {FarcastOptions.SectionName}:RefitEvery is {_options.RefitEvery}.");
        var lastKept = reader.ReadInt32();
        if (lastKept < 0 || lastKept > _options.Horizon)
            throw new InvalidDataException($"Saved farcast state's last kept jump is {lastKept} snapshots; {FarcastOptions.SectionName}:Horizon is {_options.Horizon}.");
        var nextDelayed = reader.ReadInt32();
        if (nextDelayed < 0 || nextDelayed > _options.Horizon)
            throw new InvalidDataException($"Saved farcast state's next delayed jump is {nextDelayed} snapshots; {FarcastOptions.SectionName}:Horizon is {_options.Horizon}.");
        var recentReading = ReadReading(reader);
        var recentReadingDue = reader.ReadBoolean();
        var mapCount = reader.ReadInt32();
        if (mapCount != 0) Expect(mapCount, _parameters.Length, "fitted maps");
        var maps = new Lfd2Map[mapCount];
        for (var i = 0; i < mapCount; i++)
        {
            maps[i] = Lfd2Map.Read(reader);
            Expect(maps[i].Horizon, _options.Horizon, "the horizon of a fitted map");
        }

        var averages = _observedAverage?.Averages ?? Array.Empty<Tensor>();
        var savedAverages = averages.Select(average => WindowBuffers.LoadChecked(average, reader)).ToArray();

        WindowSchedule? window = null;
        long position = 0;
        Action restoreFit = () => { }, restoreBuffers = () => { };
        if (reader.ReadBoolean())
        {
            window = new WindowSchedule(_options.InputSteps, _options.Horizon, _options.Stride, ReusesMap: reader.ReadBoolean());
            position = reader.ReadInt64();
            if (position < 0 || position > window.Value.End)
                throw new InvalidDataException($"Saved farcast state is at position {position} of a window that ends at {window.Value.End}.");
            var (buffers, fit) = EnsureWindow();
            restoreFit = fit.Read(reader);
            restoreBuffers = buffers.Read(reader);
        }

        return () =>
        {
            if (inner is not null) LoadInnerState((OptimizerHelper)Inner, inner);
            RealSteps = realSteps;
            EffectiveSteps = effectiveSteps;
            Jumps = jumps;
            RejectedJumps = rejected;
            ShouldStop = shouldStop;
            _reusesLeft = reusesLeft;
            _lastKeptRung = lastKept;
            _nextDelayedRung = nextDelayed;
            _recentReading = recentReading;
            _recentReadingDue = recentReadingDue;
            LastMaps = mapCount == 0 ? FixedMaps() : maps;
            for (var i = 0; i < averages.Count; i++) averages[i].copy_(savedAverages[i]);
            restoreFit();
            restoreBuffers();
            _window = window;
            _position = position;
        };
    }

    /// <summary>Name, version, payload and checksum: the payload once its SHA-256 matches.</summary>
    private static byte[] ReadVerifiedPayload(BinaryReader reader)
    {
        try
        {
            var name = reader.ReadString();
            if (name != StateFormatName)
                throw new InvalidDataException($"Not a FarcastOptimizer state: found '{Shorten(name)}'.");
            var version = reader.ReadInt32();
            if (version != StateFormatVersion)
                throw new InvalidDataException($"FarcastOptimizer state format {version} is not supported (expected {StateFormatVersion}).");
            var length = reader.ReadInt64();
            var stream = reader.BaseStream;
            if (length < 0 || length > Array.MaxLength || (stream.CanSeek && length + HashBytes > stream.Length - stream.Position))
                throw new InvalidDataException($"Saved farcast state claims a payload of {length} bytes, more than the stream holds.");
            var payload = ReadExactly(reader, (int)length);
            var hash = ReadExactly(reader, HashBytes);
            if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
                throw new InvalidDataException("Saved farcast state is damaged: its checksum does not match.");
            return payload;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("Saved farcast state ends early.");
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes in bounded pieces, so a lying length on a short stream allocates no more than the stream holds.</summary>
    private static byte[] ReadExactly(BinaryReader reader, int count)
    {
        using var buffer = new MemoryStream();
        var piece = new byte[Math.Min(count, 1 << 20)];
        while (buffer.Length < count)
        {
            var read = reader.Read(piece, 0, (int)Math.Min(piece.Length, count - buffer.Length));
            if (read == 0) throw new EndOfStreamException();
            buffer.Write(piece, 0, read);
        }
        return buffer.ToArray();
    }

    private static void WriteReading(BinaryWriter writer, GuardReading? reading)
    {
        writer.Write(reading is not null);
        if (reading is not { } r) return;
        writer.Write(r.Mean);
        writer.Write(r.Examples?.Length ?? -1);
        foreach (var value in r.Examples ?? Array.Empty<double>()) writer.Write(value);
    }

    private static GuardReading? ReadReading(BinaryReader reader)
    {
        if (!reader.ReadBoolean()) return null;
        var mean = reader.ReadDouble();
        var count = reader.ReadInt32();
        if (count < -1 || (long)count * sizeof(double) > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"Saved farcast state claims {count} per-example guard losses, more than it holds.");
        var examples = count < 0 ? null : new double[count];
        for (var i = 0; i < count; i++) examples![i] = reader.ReadDouble();
        return new GuardReading(mean, examples);
    }

    private static byte[] InnerState(OptimizerHelper helper) => Written(helper.save_state_dict);

    /// <summary>The bytes <paramref name="write"/> writes.</summary>
    private static byte[] Written(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            write(writer);
        return stream.ToArray();
    }

    /// <summary>Loads the inner optimizer's state; if that fails part-way, its previous state is put back.</summary>
    private static void LoadInnerState(OptimizerHelper helper, byte[] state)
    {
        var previous = InnerState(helper);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state, writable: false));
            helper.load_state_dict(reader);
        }
        catch (Exception e)
        {
            using var restore = new BinaryReader(new MemoryStream(previous, writable: false));
            helper.load_state_dict(restore);
            throw new InvalidDataException($"Saved inner optimizer state does not fit {helper.GetType().Name}: {e.Message}", e);
        }
    }

    private static string SettingText(PropertyInfo setting, FarcastOptions options) =>
        Convert.ToString(setting.GetValue(options), CultureInfo.InvariantCulture) ?? string.Empty;

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static long NonNegative(long value, string what) =>
        value >= 0 ? value : throw new InvalidDataException($"Saved farcast state has {value} {what}.");

    private static void Expect(long actual, long expected, string what)
    {
        if (actual != expected) Mismatch(what, actual.ToString(CultureInfo.InvariantCulture), expected.ToString(CultureInfo.InvariantCulture));
    }

    private static void Mismatch(string what, string saved, string here) =>
        throw new InvalidDataException($"Saved farcast state does not match this optimizer: {what} is {Shorten(saved)} in the state, {here} here.");
}
