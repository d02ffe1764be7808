using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.Tests.Storage.InMemory;

public class InMemoryUnitOfWorkTests
{
    [Fact]
    public async Task Once_started_the_work_runs_to_its_end_whatever_the_callers_token()
    {
        using var cancellation = new CancellationTokenSource();
        var unitOfWork = new InMemoryUnitOfWork();
        var steps = new List<string>();

        var result = await unitOfWork.RunAsync(
            async token =>
            {
                steps.Add("order with state");
                cancellation.Cancel(); // the caller gives up between the two writes
                await Task.Yield();
                token.IsCancellationRequested.Should().BeFalse("the steps of one call are not split by its cancellation");
                steps.Add("earn");
                return 42;
            },
            cancellation.Token);

        result.Should().Be(42);
        steps.Should().Equal("order with state", "earn");
    }

    [Fact]
    public async Task A_call_cancelled_before_it_starts_does_nothing()
    {
        var ran = false;
        var act = () => new InMemoryUnitOfWork().RunAsync(_ => Task.FromResult(ran = true), new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        ran.Should().BeFalse();
    }

    [Fact]
    public async Task A_null_work_is_refused()
    {
        var act = () => new InMemoryUnitOfWork().RunAsync<int>(null!);

        (await act.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("work");
    }
}
