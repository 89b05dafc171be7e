using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Watchdog;

namespace KvmTools.Tests.Watchdog;

public sealed class WatchdogServiceTests : IDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(5);

    private readonly WatchdogHarness _h = new();
    private readonly ScriptedDevice _dev = new();

    public void Dispose() => _h.Dispose();

    private static WatchdogPolicy Policy(int stepsPerRun = 1, TimeSpan? cooldown = null, int perHour = 100, int giveUp = 3) =>
        new(Pause, stepsPerRun, cooldown ?? Cooldown, perHour, giveUp);

    private WatchedDevice Device(params IRecoveryStep[] ladder) =>
        new("capture", [new ScriptedProbe(_dev, "usb")], ladder);

    private ScriptedStep[] Ladder(params string[] names) => names.Select(n => new ScriptedStep(_dev, n)).ToArray();

    private WatchdogOutcome Run(WatchdogPolicy policy, WatchedDevice device, bool dryRun = false) =>
        _h.Service(policy, device).RunOnce(dryRun).Outcome;

    private DeviceWatchState Saved => _h.Store.Load().Devices["capture"];

    [Fact]
    public void AHealthyDeviceIsNeverReset()
    {
        var device = Device(Ladder("usb-reset", "authorize", "port-power"));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(WatchdogOutcome.Healthy, Run(Policy(stepsPerRun: 0, cooldown: TimeSpan.Zero), device));
            _h.Clock.Advance(TimeSpan.FromMinutes(2));
        }
        Assert.Empty(_dev.StepCalls);
        Assert.Equal(5, _dev.Calls.Count(c => c == "check usb"));
        Assert.Empty(_h.Pauses);
        Assert.Equal("healthy", Saved.LastOutcome);
        Assert.Equal("ok", Saved.LastChecks.Single().Result);
    }

    [Fact]
    public void ACheckThatCannotTellNeverResetsAnything()
    {
        _dev.UnknownBecause = "kvmd's streamer is not running";
        var device = Device(Ladder("usb-reset"));
        Assert.Equal(WatchdogOutcome.Healthy, Run(Policy(), device));
        Assert.Empty(_dev.StepCalls);
        Assert.Equal("unknown", Saved.LastChecks.Single().Result);
    }

    [Fact]
    public void OneStepPerRunClimbsTheLadderThenStartsAgainAndGivesUp()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset", "authorize", "port-power"));
        var policy = Policy(giveUp: 2);
        string[] expected = ["usb-reset", "authorize", "port-power", "usb-reset", "authorize", "port-power"];
        int[] positions = [1, 2, 0, 1, 2, 0];
        int[] failedLadders = [0, 0, 1, 1, 1, 2];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(WatchdogOutcome.StillFailing, Run(policy, device));
            Assert.Equal("step " + expected[i], _dev.StepCalls.Last());
            Assert.Equal(i + 1, _dev.StepCalls.Count());
            Assert.Equal(positions[i], Saved.LadderPosition);
            Assert.Equal(failedLadders[i], Saved.FailedLadders);
            _h.Clock.Advance(Cooldown);
        }
        Assert.True(Saved.GivenUp);
        Assert.Contains(_h.Lines(WatchdogEventKind.State), l => l.Contains("giving up", StringComparison.Ordinal));

        // Given up: left alone for as long as it stays dead, whatever the clock says.
        for (int i = 0; i < 3; i++)
        {
            _h.Clock.Advance(TimeSpan.FromHours(5));
            Assert.Equal(WatchdogOutcome.HeldBack, Run(policy, device));
        }
        Assert.Equal(6, _dev.StepCalls.Count());
        Assert.Contains(_h.Lines(WatchdogEventKind.Hold), l => l.Contains("given up", StringComparison.Ordinal));
    }

    [Fact]
    public void EachStepIsFollowedByAPauseAndAReCheck()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset"));
        Run(Policy(), device);
        Assert.Equal(["check usb", "step usb-reset", "check usb"], _dev.Calls);
        Assert.Equal([Pause], _h.Pauses);
        Assert.Contains(_h.Lines(WatchdogEventKind.Check), l => l.StartsWith("re-check usb: failed", StringComparison.Ordinal));
    }

    [Fact]
    public void AStepThatWorksEndsTheRecoveryAndResetsTheLadder()
    {
        _dev.Healthy = false;
        var steps = Ladder("usb-reset", "authorize", "port-power");
        steps[1].Fixes = true;
        var device = Device(steps);

        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(), device));
        _h.Clock.Advance(Cooldown);
        Assert.Equal(WatchdogOutcome.Recovered, Run(Policy(), device));
        Assert.Equal(["step usb-reset", "step authorize"], _dev.StepCalls);
        Assert.Equal(0, Saved.LadderPosition);
        Assert.Null(Saved.FailingSince);
        Assert.Equal("recovered", Saved.LastOutcome);
        Assert.Contains(_h.Lines(WatchdogEventKind.State), l => l == "recovered by authorize");

        // The next failure starts from the mildest step again.
        _h.Clock.Advance(Cooldown);
        _dev.Healthy = false;
        steps[1].Fixes = false;
        Run(Policy(), device);
        Assert.Equal("step usb-reset", _dev.StepCalls.Last());
    }

    [Fact]
    public void ADeviceThatComesBackBetweenRunsCountsAsRecovered()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset", "authorize"));
        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(), device));
        _dev.Healthy = true;
        _h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(WatchdogOutcome.Recovered, Run(Policy(), device));
        Assert.Contains(_h.Lines(WatchdogEventKind.State), l => l.StartsWith("healthy again after 1 recovery step", StringComparison.Ordinal));
        Assert.Equal(0, Saved.LadderPosition);
        Assert.Single(_dev.StepCalls);
    }

    [Fact]
    public void AFailureThatClearsWithoutAnyStepIsJustHealthy()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset"));
        var policy = Policy(perHour: 1);
        Run(policy, device);
        _h.Clock.Advance(Cooldown);
        Assert.Equal(WatchdogOutcome.HeldBack, Run(policy, device));
        _h.Clock.Advance(TimeSpan.FromHours(2));
        _dev.Healthy = true;
        // A step was taken during this failure, so its end counts as a recovery.
        Assert.Equal(WatchdogOutcome.Recovered, Run(policy, device));

        _dev.Healthy = false;
        var noSteps = Device();
        Assert.Equal(WatchdogOutcome.StillFailing, Run(policy, noSteps));
        _dev.Healthy = true;
        Assert.Equal(WatchdogOutcome.Healthy, Run(policy, noSteps));
    }

    [Fact]
    public void TheWholeLadderInOneRunStopsAtTheStepThatWorks()
    {
        _dev.Healthy = false;
        var steps = Ladder("usb-reset", "authorize", "port-power", "relay-power");
        steps[2].Fixes = true;
        Assert.Equal(WatchdogOutcome.Recovered, Run(Policy(stepsPerRun: 0), Device(steps)));
        Assert.Equal(["step usb-reset", "step authorize", "step port-power"], _dev.StepCalls);
        Assert.Equal(3, _h.Pauses.Count);
        // Pause, then re-check, before each next step.
        Assert.Equal(["check usb", "step usb-reset", "check usb", "step authorize", "check usb", "step port-power", "check usb"], _dev.Calls);
        // One run is one recovery, however many rungs it took.
        Assert.Single(Saved.Recoveries);
    }

    [Fact]
    public void TheWholeLadderInOneRunThatFailsCountsOneFailedLadder()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset", "authorize"));
        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(stepsPerRun: 0), device));
        Assert.Equal(2, _dev.StepCalls.Count());
        Assert.Equal(1, Saved.FailedLadders);
        Assert.Equal(0, Saved.LadderPosition);
        Assert.False(Saved.GivenUp);
    }

    [Fact]
    public void TwoStepsPerRunTakeTwoRungs()
    {
        _dev.Healthy = false;
        Run(Policy(stepsPerRun: 2), Device(Ladder("a", "b", "c")));
        Assert.Equal(["step a", "step b"], _dev.StepCalls);
        Assert.Equal(2, Saved.LadderPosition);
    }

    [Fact]
    public void CooldownHoldsTheNextRecoveryBack()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset", "authorize"));
        Run(Policy(), device);
        // The cooldown runs from the end of the recovery, after its pause and re-check.
        _h.Clock.Advance(Cooldown - TimeSpan.FromSeconds(1));
        Assert.Equal(WatchdogOutcome.HeldBack, Run(Policy(), device));
        Assert.Contains(_h.Lines(WatchdogEventKind.Hold), l => l.Contains("cooldown until", StringComparison.Ordinal));
        Assert.Single(_dev.StepCalls);
        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(), device));
        Assert.Equal(["step usb-reset", "step authorize"], _dev.StepCalls);
    }

    [Fact]
    public void TheHourlyCapHoldsRecoveriesBackUntilTheOldestIsAnHourOld()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("a", "b", "c", "d", "e", "f"));
        var policy = Policy(cooldown: TimeSpan.Zero, perHour: 3, giveUp: 100);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(WatchdogOutcome.StillFailing, Run(policy, device));
            _h.Clock.Advance(TimeSpan.FromMinutes(10));
        }
        Assert.Equal(WatchdogOutcome.HeldBack, Run(policy, device));
        Assert.Contains(_h.Lines(WatchdogEventKind.Hold), l => l.Contains("3 recoveries in the last hour", StringComparison.Ordinal));
        Assert.Equal(3, _dev.StepCalls.Count());
        // The first recovery started at 12:00:00; at 13:00:00 it no longer counts.
        _h.Clock.Now = new DateTimeOffset(2025, 1, 1, 13, 0, 0, TimeSpan.Zero);
        Assert.Equal(WatchdogOutcome.StillFailing, Run(policy, device));
        Assert.Equal(4, _dev.StepCalls.Count());
    }

    [Fact]
    public void AGivenUpDeviceIsLookedAfterAgainOnceItIsHealthy()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset"));
        var policy = Policy(cooldown: TimeSpan.Zero, giveUp: 1);
        Run(policy, device);
        Assert.True(Saved.GivenUp);
        Assert.Equal(WatchdogOutcome.HeldBack, Run(policy, device));

        _dev.Healthy = true;
        Assert.Equal(WatchdogOutcome.Recovered, Run(policy, device));
        Assert.False(Saved.GivenUp);
        Assert.Equal(0, Saved.FailedLadders);
        Assert.Contains(_h.Lines(WatchdogEventKind.State), l => l.Contains("no longer given up", StringComparison.Ordinal));

        _dev.Healthy = false;
        Assert.Equal(WatchdogOutcome.StillFailing, Run(policy, device));
        Assert.Equal(2, _dev.StepCalls.Count());
    }

    [Fact]
    public void ResetClearsTheGiveUpAndTheLimits()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset"));
        var policy = Policy(giveUp: 1, perHour: 1);
        Run(policy, device);
        Assert.True(Saved.GivenUp);

        Assert.Equal(["capture"], _h.Service(policy, device).Reset("capture"));
        Assert.False(Saved.GivenUp);
        Assert.Empty(Saved.Recoveries);
        Assert.NotNull(Saved.FailingSince);
        Assert.Equal("reset", Saved.Actions.Last().Step);

        // No cooldown, no hourly cap, no give-up: the ladder runs at once.
        Assert.Equal(WatchdogOutcome.StillFailing, Run(policy, device));
        Assert.Equal(2, _dev.StepCalls.Count());
        Assert.Throws<UsageException>(() => _h.Service(policy, device).Reset("nonesuch"));
    }

    [Fact]
    public void ProgressAndLimitsSurviveANewServiceInstance()
    {
        _dev.Healthy = false;
        var policy = Policy(perHour: 2);
        // Each run builds a fresh service with fresh steps, as separate cron runs do; only the file carries over.
        _h.Service(policy, Device(Ladder("usb-reset", "authorize", "port-power"))).RunOnce(false);
        _h.Clock.Advance(Cooldown);
        var second = new ScriptedDevice { Healthy = false };
        var device2 = new WatchedDevice("capture", [new ScriptedProbe(second, "usb")],
            [new ScriptedStep(second, "usb-reset"), new ScriptedStep(second, "authorize"), new ScriptedStep(second, "port-power")]);
        _h.Service(policy, device2).RunOnce(false);
        Assert.Equal(["step authorize"], second.StepCalls);
        string json = File.ReadAllText(_h.Store.FilePath);
        Assert.Contains("\"ladderPosition\": 2", json);
        Assert.Contains("\"authorize\"", json);

        _h.Clock.Advance(Cooldown);
        var third = new ScriptedDevice { Healthy = false };
        var device3 = new WatchedDevice("capture", [new ScriptedProbe(third, "usb")], [new ScriptedStep(third, "usb-reset")]);
        Assert.Equal(WatchdogOutcome.HeldBack, _h.Service(policy, device3).RunOnce(false).Outcome);
        Assert.Empty(third.StepCalls);
    }

    [Fact]
    public void AShorterLadderInTheConfigurationRestartsFromTheFirstRung()
    {
        _dev.Healthy = false;
        Run(Policy(cooldown: TimeSpan.Zero), Device(Ladder("a", "b", "c")));
        Run(Policy(cooldown: TimeSpan.Zero), Device(Ladder("a", "b", "c")));
        Assert.Equal(2, Saved.LadderPosition);
        Run(Policy(cooldown: TimeSpan.Zero), Device(Ladder("x")));
        Assert.Equal("step x", _dev.StepCalls.Last());
    }

    [Fact]
    public void ADryRunActsOnNothingAndSavesNothing()
    {
        _dev.Healthy = false;
        var device = Device(Ladder("usb-reset", "authorize"));
        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(stepsPerRun: 0), device, dryRun: true));
        Assert.Empty(_dev.StepCalls);
        Assert.Empty(_h.Pauses);
        Assert.False(File.Exists(_h.Store.FilePath));
        var plan = _h.Lines(WatchdogEventKind.Action).ToList();
        Assert.Equal(2, plan.Count);
        Assert.StartsWith("would run usb-reset on the fake device (step 1 of 2)", plan[0]);
        Assert.StartsWith("would run authorize", plan[1]);

        // With a real state on disk, a dry run leaves it byte for byte as it was.
        Run(Policy(), device);
        _h.Clock.Advance(Cooldown);
        byte[] before = File.ReadAllBytes(_h.Store.FilePath);
        Run(Policy(), device, dryRun: true);
        Assert.Equal(before, File.ReadAllBytes(_h.Store.FilePath));
        Assert.Single(_dev.StepCalls);
    }

    [Fact]
    public void AFailingStepIsLoggedAndTheNextRunEscalates()
    {
        _dev.Healthy = false;
        var device = Device(new ScriptedStep(_dev, "usb-reset", throws: new PermissionDeniedException("Permission denied: cannot open /dev/bus/usb/001/004.")),
            new ScriptedStep(_dev, "authorize"));
        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(), device));
        Assert.Contains(_h.Lines(WatchdogEventKind.Action), l => l.StartsWith("usb-reset: failed: Permission denied", StringComparison.Ordinal));
        Assert.Equal("failed", Saved.Actions.Last().Result);
        _h.Clock.Advance(Cooldown);
        Run(Policy(), device);
        Assert.Equal("step authorize", _dev.StepCalls.Last());
    }

    [Fact]
    public void SomeoneWatchingALivePictureHoldsBackStepsThatWouldInterruptIt()
    {
        // The streamer says the picture is live and watched, yet another check fails (the CH9329, say).
        var watcher = new ScriptedDevice { Healthy = true, UserActive = true };
        _dev.Healthy = false;
        var probes = new IWatchdogProbe[] { new ScriptedProbe(watcher, "streamer"), new ScriptedProbe(_dev, "usb") };
        var video = new WatchedDevice("capture", probes, [new ScriptedStep(_dev, "usb-reset", interruptsVideo: true)]);
        Assert.Equal(WatchdogOutcome.HeldBack, Run(Policy(), video));
        Assert.Empty(_dev.StepCalls);
        Assert.Contains(_h.Lines(WatchdogEventKind.Hold), l => l.Contains("someone is watching a live picture", StringComparison.Ordinal));

        var hid = new WatchedDevice("capture", probes, [new ScriptedStep(_dev, "ch9329-reset", interruptsVideo: false)]);
        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(), hid));
        Assert.Equal(["step ch9329-reset"], _dev.StepCalls);
    }

    [Fact]
    public void AProbeThatThrowsFailsOrCannotTellByTheKindOfError()
    {
        var missing = new WatchedDevice("capture", [new ScriptedProbe(_dev, "video", new NotFoundException("The video node /dev/video0 does not exist."))],
            Ladder("usb-reset"));
        Assert.Equal(WatchdogOutcome.StillFailing, Run(Policy(), missing));
        Assert.Equal("failed", Saved.LastChecks.Single().Result);
        Assert.Contains("/dev/video0", Saved.LastChecks.Single().Detail);

        var denied = new WatchedDevice("capture", [new ScriptedProbe(_dev, "video", new PermissionDeniedException("Permission denied: cannot open /dev/video0.", "Add the user to group video."))],
            Ladder("usb-reset"));
        _h.Clock.Advance(Cooldown);
        // It failed before and no check can tell now: nothing is done, and the failure stays on record.
        Assert.Equal(WatchdogOutcome.HeldBack, Run(Policy(), denied));
        Assert.Equal("unknown", Saved.LastChecks.Single().Result);
        Assert.Contains("group video", Saved.LastChecks.Single().Detail);
        Assert.NotNull(Saved.FailingSince);
        Assert.Equal(1, Saved.FailedLadders);
        Assert.Single(_dev.StepCalls);
    }

    [Fact]
    public void AnotherRunningWatchdogMakesThisOneBusyAtOnce()
    {
        var device = Device(Ladder("usb-reset"));
        using var held = FileLock.Acquire(_h.Store.LockPath, TimeSpan.FromSeconds(1));
        var e = Assert.Throws<DeviceTimeoutException>(() => _h.Service(Policy(), device).RunOnce(false));
        Assert.Contains("Another 'kvmtool watchdog' is running", e.Message);
        Assert.Empty(_dev.Calls);
    }

    [Fact]
    public void ACorruptStateFileIsSetAsideAndTheRunGoesOn()
    {
        Directory.CreateDirectory(_h.Paths.StateDir);
        File.WriteAllText(_h.Store.FilePath, "{ not json");
        Assert.Equal(WatchdogOutcome.Healthy, Run(Policy(), Device(Ladder("usb-reset"))));
        Assert.Contains(_h.Events, e => e.Severity == WatchdogSeverity.Warning && e.Message.Contains("is corrupt", StringComparison.Ordinal));
        Assert.Equal("{ not json", File.ReadAllText(_h.Store.FilePath + ".corrupt"));
        Assert.Equal("healthy", Saved.LastOutcome);
    }

    [Fact]
    public void TheWorstDeviceDecidesTheOutcome()
    {
        var ok = new ScriptedDevice();
        var dead = new ScriptedDevice { Healthy = false };
        var service = _h.Service(Policy(),
            new WatchedDevice("capture", [new ScriptedProbe(ok)], []),
            new WatchedDevice("ch9329", [new ScriptedProbe(dead)], [new ScriptedStep(dead, "ch9329-reset")]));
        var report = service.RunOnce(false);
        Assert.Equal(WatchdogOutcome.StillFailing, report.Outcome);
        Assert.Equal(WatchdogOutcome.Healthy, report.Devices["capture"]);
        Assert.Equal(WatchdogOutcome.HeldBack, _h.Service(Policy(), new WatchedDevice("ch9329", [new ScriptedProbe(dead)], [new ScriptedStep(dead, "ch9329-reset")])).RunOnce(false).Outcome);
        Assert.Equal(WatchdogOutcome.StillFailing, WatchdogReport.Worst([WatchdogOutcome.HeldBack, WatchdogOutcome.StillFailing, WatchdogOutcome.Recovered]));
        Assert.Equal(WatchdogOutcome.HeldBack, WatchdogReport.Worst([WatchdogOutcome.Recovered, WatchdogOutcome.HeldBack]));
        Assert.Equal(WatchdogOutcome.Recovered, WatchdogReport.Worst([WatchdogOutcome.Healthy, WatchdogOutcome.Recovered]));
        Assert.Equal(WatchdogOutcome.Healthy, WatchdogReport.Worst([]));
    }

    [Fact]
    public void TheRunBudgetCoversEveryCheckStepAndPause()
    {
        var device = Device(Ladder("a", "b", "c"));
        // Whole ladder: 1 s check x 4 + 3 x 10 s steps + 3 x 5 s pauses, plus the lock wait and the margin.
        var whole = _h.Service(Policy(stepsPerRun: 0), device).RunBudget;
        Assert.Equal(TimeSpan.FromSeconds(4 + 30 + 15) + WatchdogService.LockWait + TimeSpan.FromSeconds(30), whole);
        var one = _h.Service(Policy(stepsPerRun: 1), device).RunBudget;
        Assert.Equal(TimeSpan.FromSeconds(2 + 10 + 5) + WatchdogService.LockWait + TimeSpan.FromSeconds(30), one);
    }
}
