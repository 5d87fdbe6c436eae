// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.nio.file.Path;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.image.OutputFormat;
import dib.core.sandbox.Exec;
import dib.core.sandbox.SandboxException;

/**
 * {@code -t tar}: the finished tree as a tar archive, without {@code ./proc} and
 * {@code ./sys}, with extended attributes and numeric owners (the image's users are not the
 * host's).
 */
@Component(property = OutputFormat.TYPE + "=tar")
public final class TarOutput implements OutputFormat {

    @Override
    public Source source() {
        return Source.TREE;
    }

    @Override
    public String extension() {
        return "tar";
    }

    @Override
    public void write(BuildContext ctx, Path input, Path target) throws BuildException {
        try {
            ctx.sandbox().check(Exec.of("tar", "-C", input.toString(), "-cf", target.toString(), "--exclude", "./sys",
                    "--exclude", "./proc", "--xattrs", "--xattrs-include=*", "--numeric-owner", "--sparse", ".")
                    .label("tar"));
        } catch (SandboxException e) {
            throw new BuildException("writing " + target + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while writing " + target, 130, e);
        }
    }
}
