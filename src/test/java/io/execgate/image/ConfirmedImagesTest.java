package io.execgate.image;

import io.execgate.model.ImageInfo;
import io.execgate.model.ImageState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfirmedImagesTest {

  private static ImageInfo info(ImageState state, String id) {
    return new ImageInfo("img:1", "img:1", state, id, 1L, 0L, 0, null, null);
  }

  @Test
  void anImageConfirmedAMomentAgoIsAnsweredAndCountedAsAHit() {
    ConfirmedImages images = new ConfirmedImages();
    assertThat(images.fresh("img:1")).isNull();
    images.confirmed(info(ImageState.PRESENT, "sha256:1"), System.currentTimeMillis());
    assertThat(images.fresh("img:1").id()).isEqualTo("sha256:1");
    assertThat(images.fresh("other:1")).isNull();
    assertThat(images.hits()).isEqualTo(1);
  }

  @Test
  void aStaleForgottenOrUnusableImageIsNotAnswered() {
    ConfirmedImages images = new ConfirmedImages();
    images.confirmed(info(ImageState.PRESENT, "sha256:1"),
      System.currentTimeMillis() - ConfirmedImages.CONFIRMED_TTL_MS);
    assertThat(images.fresh("img:1")).as("confirmed too long ago").isNull();
    images.confirmed(info(ImageState.PRESENT, "sha256:1"), System.currentTimeMillis());
    images.forget("img:1");
    assertThat(images.fresh("img:1")).as("a flow started for it").isNull();
    images.confirmed(info(ImageState.PULLING, null), System.currentTimeMillis());
    images.confirmed(info(ImageState.REFUSED, "sha256:2"), System.currentTimeMillis());
    assertThat(images.fresh("img:1")).as("never usable").isNull();
    assertThat(images.hits()).isZero();
  }
}
