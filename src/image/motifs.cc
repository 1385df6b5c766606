// Motif shapes, default colours and dispatch to the drawing groups.
#include "image/motifs.h"

#include "image/motif_frame.h"

namespace pictor::image {

MotifShape ShapeOf(Motif motif) {
  switch (motif) {
    case Motif::kCat:
      return {1.0f, 0.2f, Zone::kGround};
    case Motif::kDog:
      return {1.3f, 0.2f, Zone::kGround};
    case Motif::kPyramid:
      return {1.7f, 0.42f, Zone::kFar};
    case Motif::kMoon:
      return {1.0f, 0.17f, Zone::kSky};
    case Motif::kRocket:
      return {0.42f, 0.42f, Zone::kSky};
    case Motif::kSalmon:
      return {2.3f, 0.13f, Zone::kWater};
    case Motif::kFish:
      return {2.0f, 0.11f, Zone::kWater};
    case Motif::kStar:
      return {1.0f, 0.08f, Zone::kSky};
    case Motif::kSun:
      return {1.0f, 0.2f, Zone::kSky};
    case Motif::kTree:
      return {0.75f, 0.38f, Zone::kGround};
    case Motif::kHouse:
      return {1.1f, 0.3f, Zone::kGround};
    case Motif::kShip:
      return {1.2f, 0.36f, Zone::kWater};
    case Motif::kBoat:
      return {1.1f, 0.2f, Zone::kWater};
    case Motif::kBird:
      return {1.8f, 0.05f, Zone::kSky};
    case Motif::kFlower:
      return {0.55f, 0.16f, Zone::kGround};
    case Motif::kMountain:
      return {1.8f, 0.45f, Zone::kFar};
    case Motif::kCloud:
      return {2.1f, 0.11f, Zone::kSky};
    case Motif::kCar:
      return {2.0f, 0.14f, Zone::kGround};
    case Motif::kPerson:
      return {0.5f, 0.26f, Zone::kGround};
    case Motif::kCake:
      return {1.0f, 0.19f, Zone::kGround};
    case Motif::kBalloon:
      return {0.6f, 0.2f, Zone::kSky};
    case Motif::kHeart:
      return {1.1f, 0.12f, Zone::kSky};
    case Motif::kCastle:
      return {1.3f, 0.38f, Zone::kFar};
    case Motif::kHorse:
      return {1.35f, 0.28f, Zone::kGround};
    case Motif::kWhale:
      return {2.0f, 0.2f, Zone::kWater};
    case Motif::kPlanet:
      return {1.6f, 0.15f, Zone::kSky};
    case Motif::kTent:
      return {1.3f, 0.2f, Zone::kGround};
    case Motif::kUmbrella:
      return {0.9f, 0.26f, Zone::kGround};
    case Motif::kRobot:
      return {0.6f, 0.3f, Zone::kGround};
    case Motif::kDragon:
      return {1.5f, 0.3f, Zone::kSky};
    case Motif::kPalm:
      return {0.65f, 0.42f, Zone::kGround};
    case Motif::kButterfly:
      return {1.2f, 0.08f, Zone::kSky};
    case Motif::kSnowman:
      return {0.6f, 0.3f, Zone::kGround};
    case Motif::kLighthouse:
      return {0.4f, 0.45f, Zone::kGround};
  }
  return {1.0f, 0.2f, Zone::kGround};
}

Rgb DefaultColour(Motif motif, float variation) {
  static constexpr Rgb kPartyColours[] = {{230, 60, 70},  {60, 130, 230}, {250, 200, 50},
                                          {90, 190, 100}, {200, 90, 200}, {250, 140, 40}};
  switch (motif) {
    case Motif::kCat:
      return {236, 140, 52};
    case Motif::kDog:
      return {170, 115, 62};
    case Motif::kPyramid:
      return {224, 186, 118};
    case Motif::kMoon:
      return {242, 238, 214};
    case Motif::kRocket:
      return {226, 54, 54};
    case Motif::kSalmon:
      return {242, 128, 104};
    case Motif::kFish:
      return {250, 150, 40};
    case Motif::kStar:
      return {255, 220, 80};
    case Motif::kSun:
      return {255, 204, 60};
    case Motif::kTree:
      return {64, 150, 70};
    case Motif::kHouse:
      return {200, 70, 60};
    case Motif::kShip:
      return {130, 80, 45};
    case Motif::kBoat:
      return {220, 80, 60};
    case Motif::kBird:
      return {50, 50, 60};
    case Motif::kFlower:
    case Motif::kBalloon:
    case Motif::kUmbrella:
      return kPartyColours[static_cast<int>(variation * 5.999f)];
    case Motif::kMountain:
      return {110, 120, 150};
    case Motif::kCloud:
      return {255, 255, 255};
    case Motif::kCar:
      return {220, 50, 50};
    case Motif::kPerson:
      return {60, 110, 200};
    case Motif::kCake:
      return {250, 190, 210};
    case Motif::kHeart:
      return {225, 40, 70};
    case Motif::kCastle:
      return {170, 168, 160};
    case Motif::kHorse:
      return {140, 90, 50};
    case Motif::kWhale:
      return {60, 100, 160};
    case Motif::kPlanet:
      return {220, 160, 90};
    case Motif::kTent:
      return {240, 150, 40};
    case Motif::kRobot:
      return {160, 175, 190};
    case Motif::kDragon:
      return {60, 160, 80};
    case Motif::kPalm:
      return {60, 150, 60};
    case Motif::kButterfly:
      return {90, 120, 240};
    case Motif::kSnowman:
      return {250, 250, 255};
    case Motif::kLighthouse:
      return {215, 50, 50};
  }
  return {128, 128, 128};
}

void DrawMotif(Canvas& canvas, Motif motif, const Box& box, const MotifStyle& style) {
  if (!(box.w > 0.5f && box.h > 0.5f)) return;
  const Frame f(canvas, box, style.flip);
  switch (motif) {
    case Motif::kCat:
    case Motif::kDog:
    case Motif::kSalmon:
    case Motif::kFish:
    case Motif::kBird:
    case Motif::kPerson:
    case Motif::kHorse:
    case Motif::kWhale:
    case Motif::kDragon:
    case Motif::kButterfly:
      DrawAnimal(f, motif, style);
      return;
    case Motif::kTree:
    case Motif::kFlower:
    case Motif::kPalm:
      DrawPlant(f, motif, style);
      return;
    case Motif::kMoon:
    case Motif::kStar:
    case Motif::kSun:
    case Motif::kCloud:
    case Motif::kBalloon:
    case Motif::kHeart:
    case Motif::kPlanet:
    case Motif::kRocket:
      DrawSkyThing(f, motif, style);
      return;
    case Motif::kPyramid:
    case Motif::kHouse:
    case Motif::kMountain:
    case Motif::kCastle:
    case Motif::kTent:
    case Motif::kLighthouse:
      DrawBuilding(f, motif, style);
      return;
    case Motif::kShip:
    case Motif::kBoat:
    case Motif::kCar:
    case Motif::kCake:
    case Motif::kUmbrella:
    case Motif::kRobot:
    case Motif::kSnowman:
      DrawObject(f, motif, style);
      return;
  }
}

}  // namespace pictor::image
