// Compiled by MSBuild's RoslynCodeTaskFactory (see FarcastCallback.targets); it is not part of the library.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so declares a need for GLIBCXX_3.4.32 (GCC 13) only because of
// the symbol _ZSt21ios_base_library_initv, which no relocation uses. Debian 12's libstdc++ stops at
// GLIBCXX_3.4.30, so the dynamic loader refuses the library and TorchSharp reports a misleading
// "doesn't contain a reference to libtorch-cpu-linux-x64". Setting VER_FLG_WEAK on that version-need entry
// (section .gnu.version_r) turns the hard failure into no check at all. Only the build output's copy is
// patched, through a temporary file and a rename, so a hard link into the NuGet cache is never written through.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class ElfVersionNeedWeakener : Task
{
    private const uint SectionTypeVersionNeed = 0x6ffffffe;
    private const ushort VersionFlagWeak = 0x2;

    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionName { get; set; } = string.Empty;

    /// <summary>Semicolon-separated libstdc++ paths; if any of them defines the version, nothing is patched.</summary>
    public string SystemLibraries { get; set; } = string.Empty;

    public override bool Execute()
    {
        foreach (var candidate in SystemLibraries.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(candidate) && Contains(File.ReadAllBytes(candidate), Encoding.ASCII.GetBytes(VersionName + "\0")))
            {
                Log.LogMessage(MessageImportance.Low, $"FarcastCallback: {candidate} provides {VersionName}; TorchSharp's native library is left as shipped.");
                return true;
            }
        }

        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            try
            {
                var bytes = File.ReadAllBytes(path);
                var result = Weaken(bytes, VersionName);
                if (result == null)
                {
                    Log.LogMessage(MessageImportance.Low, $"FarcastCallback: {path} needs no change.");
                    continue;
                }

                var temporary = path + ".farcast-tmp";
                File.WriteAllBytes(temporary, result);
                File.Delete(path);
                File.Move(temporary, path);
                Log.LogMessage(MessageImportance.Normal, $"FarcastCallback: marked the {VersionName} version need of {path} as weak (Debian 12 libstdc++).");
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException || exception is InvalidDataException)
            {
                Log.LogWarning($"FarcastCallback: could not patch {path}: {exception.Message}. TorchSharp may fail to load on systems whose libstdc++ lacks {VersionName}.");
            }
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>Returns the patched image, or null when the version need is absent or already weak.</summary>
    internal static byte[] Weaken(byte[] image, string versionName)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (image[4] != 2 || image[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are handled");

        var sectionTableOffset = checked((int)BitConverter.ToUInt64(image, 0x28));
        int sectionEntrySize = BitConverter.ToUInt16(image, 0x3A);
        int sectionCount = BitConverter.ToUInt16(image, 0x3C);
        var changed = false;

        for (var section = 0; section < sectionCount; section++)
        {
            var header = sectionTableOffset + section * sectionEntrySize;
            if (BitConverter.ToUInt32(image, header + 4) != SectionTypeVersionNeed) continue;

            var needOffset = checked((int)BitConverter.ToUInt64(image, header + 24));
            var linkedStrings = (int)BitConverter.ToUInt32(image, header + 40);
            var needCount = (int)BitConverter.ToUInt32(image, header + 44);
            var stringsHeader = sectionTableOffset + linkedStrings * sectionEntrySize;
            var stringsOffset = checked((int)BitConverter.ToUInt64(image, stringsHeader + 24));

            var need = needOffset;
            for (var n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(image, need + 2);
                var aux = need + (int)BitConverter.ToUInt32(image, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadString(image, stringsOffset + (int)BitConverter.ToUInt32(image, aux + 8));
                    var flags = BitConverter.ToUInt16(image, aux + 4);
                    if (name == versionName && (flags & VersionFlagWeak) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | VersionFlagWeak)).CopyTo(image, aux + 4);
                        changed = true;
                    }
                    aux += (int)BitConverter.ToUInt32(image, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(image, need + 12);
            }
        }

        return changed ? image : null;
    }

    private static string ReadString(byte[] image, int offset)
    {
        var end = Array.IndexOf(image, (byte)0, offset);
        if (end < 0) throw new InvalidDataException("unterminated string in the ELF string table");
        return Encoding.ASCII.GetString(image, offset, end - offset);
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
