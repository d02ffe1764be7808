using BenchmarkDotNet.Running;

// Run all:      dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --filter '*'
// Run one class: dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --filter '*Primitives*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
