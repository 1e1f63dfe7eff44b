//! `portqueue simulate`: replays arrivals through the engine (interfaces.md, "simulate").
