package lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    private final List<ConfigError> errors = new ArrayList<>();

    private InetSocketAddress read(String text, int minPort) {
        return new Addresses().read(new TomlTable("listener[0]", Map.of("bind", text), errors), "bind", "host:port",
                minPort);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource({
        "127.0.0.1:80, 127.0.0.1, 80",
        "[::1]:443, 0:0:0:0:0:0:0:1, 443",
        "0.0.0.0:0, 0.0.0.0, 0",
    })
    void literalAndBracketedAddressesParse(String text, String host, int port) {
        InetSocketAddress address = read(text, 0);
        assertEquals(host, address.getAddress().getHostAddress());
        assertEquals(port, address.getPort());
        assertEquals(List.of(), errors);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"127.0.0.1", "::1:80", "[::1]80", ":80", "a b:80", "127.0.0.1:65536", "127.0.0.1:0"})
    void anythingElseIsNotHostPort(String text) {
        assertNull(read(text, 1));
        assertEquals(List.of(new ConfigError("listener[0].bind",
                ConfigError.quote(text) + " is not host:port with a port 1..65535")), errors);
    }
}
