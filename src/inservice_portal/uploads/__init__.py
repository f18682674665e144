"""What an uploaded file may be: zip packages checked before anything inflates them
(archives), and no markup or active PDF content hidden in an accepted type (active_content)."""
