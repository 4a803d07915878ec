console.log('runnel: not yet');
