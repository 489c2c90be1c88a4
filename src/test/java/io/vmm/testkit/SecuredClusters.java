package io.vmm.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class using {@link TwoClustersExtension}: its clusters get the secured listeners of
 * {@link SecuredListeners} ({@link TwoClusters#startSecured()}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SecuredClusters {
}
