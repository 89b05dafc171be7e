using KvmTools.Core.Doctor;

namespace KvmTools.Core.Relays;

/// <summary>'kvmtool doctor' for relays: every named relay's board is attached and openable by kvmd.</summary>
public sealed class RelayDoctorChecks : IDoctorChecks
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        if (context.Config is null)
        {
            yield break;
        }
        var discovery = RelayService.ForSystem(context.Paths).Discovery;
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, relay) in context.Config.Model.Relays.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            RelayBoardInfo? board = null;
            DoctorFinding finding;
            try
            {
                board = discovery.Select(RelayTarget.FromConfig(relay));
                finding = new DoctorFinding("relays", DoctorStatus.Ok, $"relay {name}: {board.Describe()}, channel {relay.Channel}.");
            }
            catch (KvmToolException e)
            {
                finding = new DoctorFinding("relays", DoctorStatus.Problem, $"relay {name}: {e.Message}", e.Hint);
            }
            yield return finding;
            if (board is not null && nodes.Add(board.Device))
            {
                foreach (var access in DoctorRunner.NodeAccess(context, "relays", board.Device, $"relay board of {name}"))
                {
                    yield return access;
                }
            }
        }
    }
}
