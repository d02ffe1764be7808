using System.Security.Cryptography;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Rewards;

/// <summary>
/// The default <see cref="IRewardCodeGenerator"/>: 12 random characters from an alphabet without
/// look-alikes (no 0/O, 1/I/L), in groups of four, e.g. <c>K7QM-3XHP-9TWA</c>.
/// </summary>
/// <remarks>Thread-safe; uses a cryptographic random source (about 60 bits per code).</remarks>
public sealed class RandomRewardCodeGenerator : IRewardCodeGenerator
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <inheritdoc />
    public string Generate(RewardDefinition reward, MemberId member, RedemptionId redemption)
    {
        Span<char> code = stackalloc char[14];
        for (var i = 0; i < code.Length; i++)
        {
            code[i] = i is 4 or 9 ? '-' : Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(code);
    }
}
