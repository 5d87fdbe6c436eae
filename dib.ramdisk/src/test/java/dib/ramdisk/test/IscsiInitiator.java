// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A minimal iSCSI initiator (RFC 7143) for the deploy test: one session, one connection,
 * no digests, no authentication, LUN 1; login, READ CAPACITY(10), READ(10), WRITE(10),
 * logout. Enough to prove that a target exports a disk, without the host's kernel
 * initiator (which would attach a block device to the shared test machine).
 */
final class IscsiInitiator implements AutoCloseable {
    private static final String INITIATOR = "iqn.2026-11.dib.test:initiator";
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<String, String> negotiated = new HashMap<>();
    private int itt = 1;
    private int cmdSn = 1;
    private int expStatSn;
    private int maxSendData = 8192;

    /** Connects and logs in to {@code target}. */
    IscsiInitiator(String host, int port, String target) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setSoTimeout(60_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        // security stage (no authentication), then operational stage, then full feature phase
        login(0, 1, "InitiatorName=" + INITIATOR + "\0TargetName=" + target + "\0SessionType=Normal\0AuthMethod=None\0");
        login(1, 3, "HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=65536\0ImmediateData=Yes\0"
                + "InitialR2T=Yes\0FirstBurstLength=65536\0MaxBurstLength=262144\0DefaultTime2Wait=0\0"
                + "DefaultTime2Retain=0\0MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"
                + "ErrorRecoveryLevel=0\0MaxConnections=1\0");
        String mrdsl = negotiated.get("MaxRecvDataSegmentLength");
        if (mrdsl != null) {
            maxSendData = Integer.parseInt(mrdsl);
        }
    }

    private void login(int csg, int nsg, String keys) throws IOException {
        byte[] data = keys.getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 8; round++) {
            ByteBuffer h = bhs(0x43, data.length);
            h.put(1, (byte) (0x80 | (csg << 2) | nsg));
            h.put(8, (byte) 0x80); // ISID: random format, fixed value
            h.put(13, (byte) 0x01);
            h.putInt(16, itt);
            h.putInt(24, cmdSn);
            h.putInt(28, expStatSn);
            send(h, data);
            Pdu r = receive();
            if (r.opcode() != 0x23) {
                throw new IOException("login: unexpected PDU opcode 0x" + Integer.toHexString(r.opcode()));
            }
            int cls = r.bhs().get(36) & 0xff;
            if (cls != 0) {
                throw new IOException("login rejected: status class " + cls + " detail " + (r.bhs().get(37) & 0xff));
            }
            expStatSn = r.bhs().getInt(24) + 1;
            for (String kv : new String(r.data(), StandardCharsets.UTF_8).split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    negotiated.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            if ((r.bhs().get(1) & 0x80) != 0) {
                return; // transit granted
            }
            data = new byte[0];
        }
        throw new IOException("login: the target never let the initiator move to stage " + nsg);
    }

    /** @return {last LBA + 1, block size} */
    long[] capacity() throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = 0x25;
        byte[] d = command(cdb, 8, null);
        ByteBuffer b = ByteBuffer.wrap(d);
        return new long[] { Integer.toUnsignedLong(b.getInt(0)) + 1, Integer.toUnsignedLong(b.getInt(4)) };
    }

    byte[] read(long lba, int blocks, int blockSize) throws IOException {
        return command(rw(0x28, lba, blocks), blocks * blockSize, null);
    }

    void write(long lba, byte[] data, int blockSize) throws IOException {
        command(rw(0x2a, lba, data.length / blockSize), 0, data);
    }

    private static byte[] rw(int op, long lba, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) op;
        ByteBuffer.wrap(cdb).putInt(2, (int) lba).putShort(7, (short) blocks);
        return cdb;
    }

    /**
     * Runs one SCSI command on LUN 1; returns the data read. A CHECK CONDITION (the unit
     * attention every new session gets first) is retried.
     */
    private byte[] command(byte[] cdb, int readLength, byte[] writeData) throws IOException {
        for (int attempt = 1;; attempt++) {
            try {
                return once(cdb, readLength, writeData);
            } catch (CheckCondition e) {
                if (attempt == 4) {
                    throw e;
                }
            }
        }
    }

    private static final class CheckCondition extends IOException {
        private static final long serialVersionUID = 1L;

        CheckCondition() {
            super("SCSI status CHECK CONDITION");
        }
    }

    private byte[] once(byte[] cdb, int readLength, byte[] writeData) throws IOException {
        boolean immediate = writeData != null && "Yes".equals(negotiated.getOrDefault("ImmediateData", "Yes"))
                && writeData.length <= maxSendData;
        byte[] imm = immediate ? writeData : new byte[0];
        ByteBuffer h = bhs(0x01, imm.length);
        h.put(1, (byte) (0x80 | (writeData != null ? 0x20 : 0x40) | 0x01));
        h.put(9, (byte) 0x01); // LUN 1
        int task = ++itt;
        h.putInt(16, task);
        h.putInt(20, writeData != null ? writeData.length : readLength);
        h.putInt(24, cmdSn++);
        h.putInt(28, expStatSn);
        h.put(32, cdb);
        send(h, imm);
        byte[] result = new byte[readLength];
        while (true) {
            Pdu r = receive();
            ByteBuffer b = r.bhs();
            switch (r.opcode()) {
                case 0x25 -> { // Data-In
                    int off = b.getInt(40);
                    System.arraycopy(r.data(), 0, result, off, Math.min(r.data().length, readLength - off));
                    if ((b.get(1) & 0x01) != 0) {
                        expStatSn = b.getInt(24) + 1;
                        check(b.get(3) & 0xff);
                        return result;
                    }
                }
                case 0x21 -> { // SCSI Response
                    expStatSn = b.getInt(24) + 1;
                    if ((b.get(2) & 0xff) != 0) {
                        throw new IOException("iSCSI response code " + (b.get(2) & 0xff));
                    }
                    check(b.get(3) & 0xff);
                    return result;
                }
                case 0x31 -> { // R2T: send the data asked for
                    int ttt = b.getInt(20);
                    int off = b.getInt(40);
                    int len = b.getInt(44);
                    int sent = 0;
                    int dataSn = 0;
                    while (sent < len) {
                        int n = Math.min(maxSendData, len - sent);
                        byte[] chunk = java.util.Arrays.copyOfRange(writeData, off + sent, off + sent + n);
                        ByteBuffer d = bhs(0x05, n);
                        if (sent + n == len) {
                            d.put(1, (byte) 0x80);
                        }
                        d.put(9, (byte) 0x01);
                        d.putInt(16, task);
                        d.putInt(20, ttt);
                        d.putInt(28, expStatSn);
                        d.putInt(36, dataSn++);
                        d.putInt(40, off + sent);
                        send(d, chunk);
                        sent += n;
                    }
                }
                case 0x20 -> { // NOP-In from the target: answer if it asks
                    if (b.getInt(20) != -1) {
                        ByteBuffer n = bhs(0x40, 0);
                        n.put(1, (byte) 0x80);
                        n.putInt(16, -1);
                        n.putInt(20, b.getInt(20));
                        n.putInt(24, cmdSn);
                        n.putInt(28, expStatSn);
                        send(n, new byte[0]);
                    }
                }
                default -> throw new IOException("unexpected PDU opcode 0x" + Integer.toHexString(r.opcode()));
            }
        }
    }

    private static void check(int status) throws IOException {
        if (status == 2) {
            throw new CheckCondition();
        }
        if (status != 0) {
            throw new IOException("SCSI status 0x" + Integer.toHexString(status));
        }
    }

    private record Pdu(int opcode, ByteBuffer bhs, byte[] data) {
    }

    private static ByteBuffer bhs(int opcode, int dataLength) {
        ByteBuffer h = ByteBuffer.allocate(48);
        h.put(0, (byte) opcode);
        h.put(5, (byte) (dataLength >>> 16));
        h.put(6, (byte) (dataLength >>> 8));
        h.put(7, (byte) dataLength);
        return h;
    }

    private void send(ByteBuffer h, byte[] data) throws IOException {
        out.write(h.array());
        out.write(data);
        out.write(new byte[(4 - data.length % 4) % 4]);
        out.flush();
    }

    private Pdu receive() throws IOException {
        byte[] h = new byte[48];
        in.readFully(h);
        ByteBuffer b = ByteBuffer.wrap(h);
        int ahs = (h[4] & 0xff) * 4;
        int len = ((h[5] & 0xff) << 16) | ((h[6] & 0xff) << 8) | (h[7] & 0xff);
        in.skipNBytes(ahs);
        byte[] data = new byte[len];
        in.readFully(data);
        in.skipNBytes((4 - len % 4) % 4);
        return new Pdu(h[0] & 0x3f, b, data);
    }

    @Override
    public void close() throws IOException {
        try {
            ByteBuffer h = bhs(0x46, 0);
            h.put(1, (byte) 0x80); // close the session
            h.putInt(16, ++itt);
            h.putInt(24, cmdSn);
            h.putInt(28, expStatSn);
            send(h, new byte[0]);
            receive();
        } catch (IOException e) {
            // the target may already be gone
        } finally {
            socket.close();
        }
    }
}
