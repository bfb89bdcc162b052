namespace FarcastCallback.Forecasting;

/// <summary>A double-precision 3-vector: one set of LFD-2 coefficients, or one row of the 3-feature design.</summary>
internal readonly record struct Vector3(double X, double Y, double Z)
{
    public static Vector3 FromArray(double[] values, int offset = 0) => new(values[offset], values[offset + 1], values[offset + 2]);

    public double Dot(Vector3 other) => X * other.X + Y * other.Y + Z * other.Z;

    public static Vector3 operator +(Vector3 u, Vector3 v) => new(u.X + v.X, u.Y + v.Y, u.Z + v.Z);

    public static Vector3 operator -(Vector3 u, Vector3 v) => new(u.X - v.X, u.Y - v.Y, u.Z - v.Z);

    public static Vector3 operator *(double s, Vector3 v) => new(s * v.X, s * v.Y, s * v.Z);
}
