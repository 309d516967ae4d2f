package org.multitables4j.datasets;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text input encodings: parsing an {@code --encoding} name, and turning a decoding failure into a
 * message that names the line and byte and suggests {@code --encoding}. A buffered reader
 * decodes ahead of the line it returns, so the failing line is found again by decoding the file
 * line by line (bytes up to each {@code '\n'}; right for UTF-8 and the single-byte and other
 * ASCII-compatible encodings).
 */
final class TextEncoding {
    private TextEncoding() {
    }

    /**
     * @param name a charset name such as {@code UTF-8}, {@code ISO-8859-1}, {@code windows-1252}
     * @return the charset
     * @throws DatasetsException naming the option when Java does not know it
     */
    static Charset forName(String name) {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new DatasetsException("Unknown --encoding '" + name + "' (e.g. UTF-8, ISO-8859-1, windows-1252)");
        }
    }

    /**
     * @param file     the file that failed to decode
     * @param encoding the encoding it was read with
     * @param cause    the decoder's exception
     * @return an exception naming the first line that does not decode, its byte, and {@code --encoding}
     */
    static DatasetsException error(Path file, Charset encoding, CharacterCodingException cause) {
        String where = "";
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CharsetDecoder dec = encoding.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long lineNo = 1;
            int b;
            boolean more = true;
            while (more) {
                b = in.read();
                more = b >= 0;
                if (more && b != '\n') {
                    line.write(b);
                    continue;
                }
                byte[] bytes = line.toByteArray();
                int bad = firstBadByte(dec, bytes);
                if (bad >= 0) {
                    where = ", line " + lineNo + ", byte " + (bad + 1) + " of the line (0x"
                            + String.format("%02x", bytes[bad] & 0xff) + ")";
                    break;
                }
                line.reset();
                lineNo++;
            }
        } catch (IOException e) {
            // keep the message without a line
        }
        return new DatasetsException("CSV file " + file + where + ": not valid " + encoding.name()
                + " text; give the file's encoding with --encoding (e.g. --encoding ISO-8859-1 or windows-1252)", cause);
    }

    /** @return the offset of the first byte that does not decode, or -1 when the line decodes */
    private static int firstBadByte(CharsetDecoder dec, byte[] bytes) {
        dec.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 16);
        var r = dec.decode(in, out, true);
        if (r.isError()) {
            return in.position();
        }
        r = dec.flush(out);
        return r.isError() ? Math.max(0, bytes.length - 1) : -1;
    }
}
