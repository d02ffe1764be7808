using Loyalty.Core.Primitives;

namespace Loyalty.Core.Referrals;

/// <summary>Makes a new member's referral code. Replace it in DI to use the shop's own codes.</summary>
/// <remarks>
/// Implementations must be thread-safe. When a generated code is already taken, enrolment asks
/// again, up to <see cref="MaxAttempts"/> times.
/// </remarks>
public interface IReferralCodeGenerator
{
    /// <summary>How many codes enrolment tries before giving up with an error: 8.</summary>
    const int MaxAttempts = 8;

    /// <summary>Makes a code for a member.</summary>
    /// <param name="member">The member enrolling.</param>
    /// <param name="attempt">0 for the first try, then 1, 2… when the previous code was taken.</param>
    /// <returns>The code.</returns>
    ReferralCode Generate(MemberId member, int attempt);
}

/// <summary>
/// The default <see cref="IReferralCodeGenerator"/>: 8 random characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L), e.g. <c>K7QM3XHP</c>.
/// </summary>
/// <remarks>Thread-safe; uses a cryptographic random source.</remarks>
public sealed class RandomReferralCodeGenerator : IReferralCodeGenerator
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <inheritdoc />
    public ReferralCode Generate(MemberId member, int attempt)
    {
        Span<char> code = stackalloc char[8];
        for (var i = 0; i < code.Length; i++)
        {
            code[i] = Alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return ReferralCode.From(new string(code));
    }
}
