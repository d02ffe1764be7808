using Loyalty.Cli;
using Loyalty.Cli.Infrastructure;

return LoyaltyApp.Run(args, CliConsole.FromProcess());
