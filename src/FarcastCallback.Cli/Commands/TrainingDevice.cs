using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace FarcastCallback.Cli.Commands;

/// <summary>Settings of a command that trains, and so takes <c>--device</c>.</summary>
public interface ITrainsOnDevice
{
    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    string Device { get; }
}

/// <summary>
/// <c>--device</c>: where a command's models, data, guard and farcast buffers live. The device becomes TorchSharp's
/// default device before the command runs, so every tensor and module the hosts create lands there (the library keeps
/// its buffers on the parameters' device). Without a CUDA backend or device the command stops with one line.
/// </summary>
internal sealed class TrainingDevice : ICommandInterceptor
{
    /// <summary>The libtorch backend this program was built with (<c>-p:TorchBackend</c>).</summary>
    public static string Backend { get; } = typeof(TrainingDevice).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";

    /// <summary>The error of a <c>--device</c> that is not <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, or null for one that is.</summary>
    public static ValidationResult? InvalidName(string name) =>
        name is "cpu" or "cuda" || (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name[5..], System.Globalization.NumberStyles.None, null, out _))
            ? null
            : ValidationResult.Error($"--device must be cpu, cuda or cuda:N; got '{name}'.");

    public void Intercept(CommandContext context, CommandSettings settings)
    {
        if (settings is ITrainsOnDevice trains) Use(trains.Device);
    }

    /// <summary>Makes <paramref name="name"/> the default device.</summary>
    /// <exception cref="ArgumentException">No CUDA device is available, or not that many.</exception>
    public static void Use(string name)
    {
        if (name == "cpu")
        {
            set_default_device(CPU);
            return;
        }
        if (!cuda.is_available())
            throw new ArgumentException(
                $"--device {name}: TorchSharp finds no CUDA device here (this farcast is built with the '{Backend}' libtorch backend). On a machine with an " +
                "NVIDIA GPU and driver, build it with -p:TorchBackend=cuda-linux or cuda-windows (README, \"CUDA\").");
        var index = name == "cuda" ? 0 : int.Parse(name[5..], System.Globalization.CultureInfo.InvariantCulture);
        var count = cuda.device_count();
        if (index >= count) throw new ArgumentException($"--device {name}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}.");
        set_default_device(device(TorchSharp.DeviceType.CUDA, index));
    }
}
