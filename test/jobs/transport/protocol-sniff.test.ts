import assert from "node:assert/strict";
import { once } from "node:events";
import { type AddressInfo, connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createSniffingListener } from "../../../src/jobs/transport/protocol-sniff";

describe("protocol sniff", () => {
  it("hands each connection over with every byte, also when they arrive in pieces", async () => {
    let handOver = (_protocol: string, _socket: Socket) => {};
    const target = (protocol: string) => ({
      emit: (_event: "connection", socket: Socket) => {
        handOver(protocol, socket);
        return true;
      },
    });
    const listener = createSniffingListener({ http1: target("http1"), http2: target("http2") });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = listener.address() as AddressInfo;
      for (const [text, expected] of [
        ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n<frames>", "http2"],
        ["POST / HTTP/1.1\r\n\r\n", "http1"],
      ] as const) {
        const received = new Promise<string>((resolve) => {
          handOver = (protocol, socket) => {
            let data = "";
            socket.on("data", (chunk: Buffer) => {
              data += chunk.toString("latin1");
              if (data.length >= text.length) resolve(`${protocol} ${data}`);
            });
            socket.resume();
          };
        });
        const client = connect(port, "127.0.0.1");
        await once(client, "connect");
        for (const piece of [text.slice(0, 3), text.slice(3, 9), text.slice(9)]) {
          client.write(piece, "latin1");
          await sleep(20);
        }
        assert.equal(await received, `${expected} ${text}`);
        client.destroy();
      }
    } finally {
      listener.close();
    }
  });
});
