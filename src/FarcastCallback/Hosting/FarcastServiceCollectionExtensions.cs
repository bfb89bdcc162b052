using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FarcastCallback;

/// <summary>Registers <see cref="FarcastOptions"/> with dependency injection.</summary>
public static class FarcastServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="FarcastOptions"/> to the <c>Farcast</c> section of <paramref name="configuration"/> and
    /// validates them at start-up (<c>ValidateOnStart</c>, effective under a Generic Host) and on first use.
    /// </summary>
    public static IServiceCollection AddFarcast(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FarcastOptions>()
            .Bind(configuration.GetSection(FarcastOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FarcastOptions>, FarcastOptionsValidator>());
        return services;
    }
}
