using Microsoft.Extensions.Configuration;

namespace FarcastCallback.Benchmarks;

/// <summary>What the end-to-end benchmarks read from the repository: its root, and the farcast settings the CLI ships.</summary>
internal static class RepositoryFiles
{
    public static string Root()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "FarcastCallback.sln")))
                    return directory.FullName;
        throw new DirectoryNotFoundException("Run the benchmarks from inside the repository (FarcastCallback.sln not found above the working directory).");
    }

    /// <summary>The settings of src/FarcastCallback.Cli/appsettings.json, overlaid by appsettings.<c>profile</c>.json when given.</summary>
    public static FarcastOptions FarcastOptions(string? profile = null)
    {
        var folder = Path.Combine(Root(), "src/FarcastCallback.Cli");
        var builder = new ConfigurationBuilder().AddJsonFile(Path.Combine(folder, "appsettings.json"));
        if (profile is not null) builder.AddJsonFile(Path.Combine(folder, $"appsettings.{profile}.json"));
        var options = new FarcastOptions();
        builder.Build().GetSection(FarcastCallback.FarcastOptions.SectionName).Bind(options);
        return options;
    }
}
