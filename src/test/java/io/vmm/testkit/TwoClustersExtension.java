package io.vmm.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that starts two Kafka clusters ("A" and "B", see {@link TwoClusters}) once per test class and
 * injects the {@link TwoClusters} into test-class constructors, test methods, lifecycle methods (including
 * {@code @BeforeAll}) and parameterized tests (as an extra, non-indexed parameter).
 *
 * <pre>{@code
 * @ExtendWith(TwoClustersExtension.class)
 * class MirrorIT {
 *     private final TwoClusters clusters;
 *     MirrorIT(TwoClusters clusters) { this.clusters = clusters; }
 * }
 * }</pre>
 *
 * <p>The pair lives in the class-level {@link ExtensionContext.Store} as an {@link AutoCloseable}, so JUnit closes
 * both clusters after the class's {@code @AfterAll} methods. {@code @Nested} classes reuse the enclosing class's
 * pair (store look-ups fall back to the parent context). The clusters are created lazily by whichever comes first,
 * {@code beforeAll} or the first parameter resolution (with {@code PER_CLASS} lifecycle the constructor runs before
 * {@code beforeAll}). A test class annotated {@link SecuredClusters} gets {@link TwoClusters#startSecured()}.
 */
public final class TwoClustersExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TwoClustersExtension.class);
    private static final String KEY = "two-clusters";

    @Override
    public void beforeAll(ExtensionContext context) {
        clusters(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TwoClusters.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return clusters(extensionContext);
    }

    private static TwoClusters clusters(ExtensionContext context) {
        return classContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(KEY, k -> secured(context) ? TwoClusters.startSecured() : TwoClusters.start(),
                        TwoClusters.class);
    }

    /** True when the test class, or a class enclosing it, is annotated {@link SecuredClusters}. */
    private static boolean secured(ExtensionContext context) {
        for (Class<?> c = classContext(context).getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            if (c.isAnnotationPresent(SecuredClusters.class)) {
                return true;
            }
        }
        return false;
    }

    /** The innermost class-level context (method contexts are walked up to their class). */
    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }
}
