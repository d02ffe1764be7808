using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Primitives;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

// 1. Register the programme: the shop's own container, one call.
var services = new ServiceCollection();
services.AddLoyalty(options =>
{
    options.ProgramId = "club-privilege";
    options.DisplayName = "Club Privilège";
    options.Currency = "EUR";
    options.TimeZone = "Europe/Paris";
});

// 2. Resolve the validated settings (a bad currency or time zone fails here, with every problem listed).
using var provider = services.BuildServiceProvider(validateScopes: true);
var settings = provider.GetRequiredService<ProgramSettings>();
var clock = provider.GetRequiredService<IClock>();

// 3. Print them.
Console.WriteLine($"Programme : {settings.DisplayName} ({settings.ProgramId})");
Console.WriteLine($"Currency  : {settings.Currency.Code} ({settings.Currency.MinorUnits} decimals)");
Console.WriteLine($"Time zone : {settings.TimeZone.Id}");
Console.WriteLine($"Clock     : {clock.GetType().Name}");
Console.WriteLine($"A 40 € order is {Money.FromDecimal(40m, settings.Currency)}; 70 points minus 35 is {Points.FromInt64(70) - Points.FromInt64(35)} points.");
