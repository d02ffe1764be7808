namespace Loyalty.Core.Internal;

/// <summary>
/// An optional value kept as a plain field plus one presence bit in a byte of flags, instead of a
/// nullable field (a nullable instant takes 24 bytes, a plain one 16; a nullable id 16, a plain one 8).
/// Records kept per member, account or transaction use it to stay small.
/// </summary>
internal static class PresenceBits
{
    /// <summary>Stores <paramref name="value"/> in <paramref name="field"/> (its default when absent) and sets or clears <paramref name="bit"/> in <paramref name="present"/>.</summary>
    public static void Set<T>(ref T field, ref byte present, byte bit, T? value)
        where T : struct
    {
        if (value is { } v)
        {
            field = v;
            present |= bit;
        }
        else
        {
            field = default;
            present &= (byte)~bit;
        }
    }

    /// <summary>The value of <paramref name="field"/> when <paramref name="bit"/> is set in <paramref name="present"/>; otherwise null.</summary>
    public static T? Get<T>(T field, byte present, byte bit)
        where T : struct => (present & bit) != 0 ? field : null;
}
