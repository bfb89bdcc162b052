using System.Text;

namespace FarcastCallback.Hosts.Data;

/// <summary>
/// Reads RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. Give it a reader with strict
/// UTF-8 (<see cref="Strict"/>): invalid bytes are an error naming the record, not U+FFFD that merges distinct labels. A field longer than
/// <see cref="MaxFieldChars"/> or a record of more than <see cref="MaxFields"/> fields is refused with the record's
/// number, so an unterminated quote or a hostile file cannot grow one string without bound.
/// </summary>
internal static class CsvRecords
{
    public const int MaxFieldChars = 1 << 20;
    public const int MaxFields = 10_000;

    /// <summary>UTF-8 that throws on invalid bytes instead of replacing them.</summary>
    public static readonly Encoding Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Records of an RFC 4180 CSV stream.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">The file's name for messages.</param>
    public static IEnumerable<string[]> Read(TextReader reader, string name)
    {
        var record = 1;
        int Next()
        {
            try
            {
                return reader.Read();
            }
            catch (DecoderFallbackException exception)
            {
                throw new InvalidDataException($"{name}: not valid UTF-8 ({exception.Message})", exception);
            }
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        var (quoted, any) = (false, false);
        int c;
        while ((c = Next()) >= 0)
        {
            any = true;
            var ch = (char)c;
            if (field.Length >= MaxFieldChars)
                throw new InvalidDataException($"{name}, record {record}: a field longer than {MaxFieldChars:N0} characters{(quoted ? " (an unclosed quote?)" : "")}.");
            if (quoted)
            {
                if (ch != '"') field.Append(ch);
                else if (reader.Peek() == '"') field.Append((char)reader.Read());
                else quoted = false;
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                if (fields.Count >= MaxFields) throw new InvalidDataException($"{name}, record {record}: more than {MaxFields:N0} fields.");   // a field follows every comma
            }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                fields.Add(field.ToString());
                field.Clear();
                yield return fields.ToArray();
                fields.Clear();
                any = false;
                record++;
            }
            else field.Append(ch);
        }
        if (quoted) throw new InvalidDataException($"{name}, record {record}: the file ends inside a quoted field.");
        if (any)
        {
            fields.Add(field.ToString());
            yield return fields.ToArray();
        }
    }
}
