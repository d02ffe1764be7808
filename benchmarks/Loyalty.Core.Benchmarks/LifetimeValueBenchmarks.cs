using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Loyalty.Core.Analytics;
using Loyalty.Core.Analytics.Tests;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Customer lifetime value at shop scale: 1,000,000 customers drawn from CDNOW-like BG/NBD and
/// Gamma-Gamma parameters, observed for 1 to 365 days (times in weeks, from whole days).
/// Fitting: BG/NBD + Gamma-Gamma through the grouped likelihood, against the same BG/NBD fit
/// evaluating one likelihood row per customer (the naive ungrouped baseline) plus the same
/// Gamma-Gamma fit. Scoring: the ranked 12-month lifetime-value report (probability alive,
/// expected purchases month by month, expected spend, discounted value, ranking), against the
/// naive per-customer loop through the public methods (no grouping, no sharing between months).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LifetimeValueBenchmarks
{
    private const int CustomerCount = 1_000_000;
    private const int Months = 12;

    private CustomerBase customers = null!;
    private CustomerBase.GroupData ungrouped = null!;
    private BgNbdModel purchaseModel = null!;
    private GammaGammaModel spendModel = null!;

    [GlobalSetup]
    public void Setup()
    {
        customers = CustomerBase.FromSummaries(SyntheticCustomers.BgNbd(CustomerCount, 0.25, 4.4, 0.8, 2.4, 365, seed: 11, spend: (6.25, 3.74, 15.44)));
        ungrouped = new CustomerBase.GroupData(customers.Customers.Select(c => new FrequencyRecencyGroup(c.Frequency, c.Recency, c.Age, 1)).ToList());
        purchaseModel = BgNbdModel.Fit(customers);
        spendModel = GammaGammaModel.Fit(customers);
        Console.WriteLine($"// {customers.Customers.Count:N0} customers, {customers.Groups.Count:N0} distinct (x, t_x, T) rows, {customers.RepeatBuyers:N0} repeat buyers");
        Console.WriteLine($"// {purchaseModel} {purchaseModel.Report}");
        Console.WriteLine($"// {spendModel} {spendModel.Report}");
    }

    [Benchmark]
    [BenchmarkCategory("Fit 1M customers")]
    public double Fit_BgNbd_and_GammaGamma()
    {
        var bg = BgNbdModel.Fit(customers);
        var gg = GammaGammaModel.Fit(customers);
        return bg.R + gg.P;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Fit 1M customers")]
    public double Fit_ungrouped_rows()
    {
        var bg = BgNbdModel.FitRows(ungrouped, FitOptions.Default);
        var gg = GammaGammaModel.Fit(customers);
        return bg.R + gg.P;
    }

    [Benchmark]
    [BenchmarkCategory("Score 1M customers")]
    public double Lifetime_value_report() =>
        LifetimeValueReport.Compute(customers, purchaseModel, spendModel, new LifetimeValueOptions { Months = Months }).TotalValue;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Score 1M customers")]
    public double Per_customer_loop()
    {
        var monthLength = 365.25 / 12 / 7;
        var values = new (double Value, int Index)[customers.Customers.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var c = customers.Customers[i];
            var spend = spendModel.ExpectedAverageSpend(c.Frequency, c.MeanRepeatSpend);
            _ = purchaseModel.ProbabilityAlive(c.Frequency, c.Recency, c.Age);
            double previous = 0, value = 0;
            for (var k = 1; k <= Months; k++)
            {
                var cumulative = purchaseModel.ExpectedPurchases(c.Frequency, c.Recency, c.Age, k * monthLength);
                value += (cumulative - previous) / Math.Pow(1.1, k / 12.0);
                previous = cumulative;
            }

            values[i] = (spend * value, i);
        }

        Array.Sort(values, (a, b) => b.Value.CompareTo(a.Value));
        return values[0].Value;
    }
}
