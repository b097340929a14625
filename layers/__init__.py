"""Folium layer builders: EPSG:4326 frames in, folium objects out. Never imports streamlit."""
