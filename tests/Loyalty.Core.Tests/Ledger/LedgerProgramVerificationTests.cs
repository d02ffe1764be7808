using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>The programme pass of the hash-chain verification counts every account and every transaction, across pages of accounts.</summary>
public class LedgerProgramVerificationTests
{
    [Fact]
    public async Task The_programme_pass_counts_every_transaction_of_every_account()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(50, "a-1");
        await h.EarnAsync(20, "a-2");
        (await h.RedeemAsync(30, "a-3")).Succeeded.Should().BeTrue();
        await h.EarnAsync(5, "b-1", member: MemberId.From("bob"));

        var report = await h.Ledger.VerifyProgramAsync();
        report.IsIntact.Should().BeTrue();
        (report.AccountsChecked, report.TransactionsChecked).Should().Be((2L, 4L));
    }

    [Fact]
    public async Task The_programme_pass_reads_past_a_full_page_of_accounts()
    {
        var h = new LedgerHarness();
        for (var i = 0; i < 501; i++)
        {
            await h.EarnAsync(1, $"e{i}", member: MemberId.From($"m{i:D4}"));
        }

        var report = await h.Ledger.VerifyProgramAsync();
        report.IsIntact.Should().BeTrue();
        (report.AccountsChecked, report.TransactionsChecked).Should().Be((501L, 501L));
    }
}
