using System.Text;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Lab.Tests;

public sealed class NpyFileTests
{
    [Test]
    public void Sequences_round_trip_through_npy()
    {
        var sequences = LinearRegressionSequences.Generate(UpdateRule.Sgd, dimension: 3, problems: 4, updates: 7, seed: 2);
        var stream = new MemoryStream();

        NpyFile.Write(stream, sequences);
        stream.Position = 0;
        var read = NpyFile.Read(stream);

        Assert.That((read.Sequences, read.Steps, read.Scalars), Is.EqualTo((4, 8, 3)));
        Assert.That(read.Values.ToArray(), Is.EqualTo(sequences.Values.ToArray()));
        Assert.That(stream.ToArray().Length % 16, Is.EqualTo(0), "header padded so the data is aligned");
    }

    [Test]
    public void A_float32_two_dimensional_array_is_read_as_one_scalar_per_step()
    {
        var values = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        var bytes = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", values.SelectMany(BitConverter.GetBytes).ToArray());

        var read = NpyFile.Read(new MemoryStream(bytes));

        Assert.That((read.Sequences, read.Steps, read.Scalars), Is.EqualTo((2, 3, 1)));
        Assert.That(read[1, 2, 0], Is.EqualTo(6.0));
    }

    [TestCase("wrong magic")]
    [TestCase("int dtype")]
    [TestCase("fortran")]
    [TestCase("1-d shape")]
    [TestCase("truncated")]
    [TestCase("version 9")]
    public void Bad_files_get_a_clear_error(string defect)
    {
        var data = new byte[2 * 3 * 8];
        var bytes = defect switch
        {
            "wrong magic" => Encoding.ASCII.GetBytes("PK\u0003\u0004 not numpy at all"),
            "int dtype" => Npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data),
            "fortran" => Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", data),
            "1-d shape" => Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", data),
            "truncated" => Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data[..20]),
            "version 9" => Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data, major: 9),
            _ => throw new ArgumentException(defect),
        };
        var expected = defect switch
        {
            "wrong magic" => "wrong magic string",
            "int dtype" => "dtype '<i4' is not supported",
            "fortran" => "Fortran-order",
            "1-d shape" => "expected shape (sequences, steps, scalars)",
            "truncated" => "needs 48 bytes of data, the file holds 20 (truncated, or the header lies)",
            _ => "unsupported .npy format version 9",
        };

        var error = Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(bytes)));

        Assert.That(error!.Message, Does.Contain(expected));
    }

    [Test]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<FileNotFoundException>(() => NpyFile.Read("/nonexistent/sequences.npy"));
        Assert.That(error!.Message, Does.Contain("/nonexistent/sequences.npy"));
    }

    private static byte[] Npy(string dictionary, byte[] data, byte major = 1)
    {
        var header = dictionary + "\n";
        var stream = new MemoryStream();
        stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 });
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(data);
        return stream.ToArray();
    }
}
