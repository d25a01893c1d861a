package lb.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli sessions [POOL/BACKEND] [--limit N]}: open sessions, oldest first. */
@Command(description = "Open sessions, oldest first: id, client, backend, age, bytes each way.")
final class SessionsCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "POOL/BACKEND", description = "Only this backend's.")
    String target;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N (default ${DEFAULT-VALUE}).")
    long limit;

    @Override
    public Integer call() {
        return root.request(new Request.Sessions(target, limit), Reply.Sessions.class, SessionsCommand::print);
    }

    private static void print(Reply.Sessions result, PrintWriter out) {
        Table table = new Table("ID", "CLIENT", "LISTENER", "BACKEND", "AGE", "UP", "DOWN");
        for (Reply.SessionEntry s : result.sessions()) {
            table.row(s.id(), s.client(), s.listener(), s.backend(), StatusCommand.duration(s.ageMs()), s.up(), s.down());
        }
        out.print(table);
        out.println(result.sessions().size() + " of " + result.matched() + " session(s)");
    }
}
